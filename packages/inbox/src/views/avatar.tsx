const TINTS = ['#8e8e93', '#5e8bd6', '#c77d3f', '#5aa469', '#a66cc1', '#d0605e', '#3f9faf'];

function tint(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return TINTS[h % TINTS.length] ?? '#8e8e93';
}

/** A round avatar: a person, or several for a group, on a tint derived from the name. */
export function Avatar({ name, group }: { name: string; group: boolean }) {
  return (
    <span class="avatar" style={{ background: tint(name) }} aria-hidden="true">
      <svg viewBox="0 0 24 24" width="22" height="22">
        {group ? (
          <path
            fill="#fff"
            d="M8.5 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zm7 0a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5zM2.5 18c0-3 2.7-5 6-5s6 2 6 5v1h-12v-1zm13.2 1v-1c0-1.6-.6-3-1.7-4 .5-.1 1-.2 1.5-.2 2.9 0 5 1.7 5 4.2v1h-4.8z"
          />
        ) : (
          <path fill="#fff" d="M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zm-7 8c0-3.3 3.1-6 7-6s7 2.7 7 6v1H5v-1z" />
        )}
      </svg>
    </span>
  );
}

export function ServiceTag({ service }: { service: string }) {
  return <span class={`service service-${service.toLowerCase()}`}>{service}</span>;
}
