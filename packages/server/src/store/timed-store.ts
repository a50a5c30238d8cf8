/** Receives each store call's duration: method name, seconds, and whether it threw. */
export type StoreCallObserver = (method: string, seconds: number, failed: boolean) => void;

/**
 * `store` with every method that returns a promise timed (a backend's commits included: a send's
 * `acceptOutbound` resolves once its group commit has), reported to `observe`. Other members
 * (capabilities, subscriptions) pass through untouched.
 */
export function timedStore<S extends object>(store: S, observe: StoreCallObserver): S {
  // Keyed by the function itself, not its name: a method replaced on the store (a test's spy, a
  // decorator) is timed as it now is, never as it was when first read.
  const wrapped = new WeakMap<object, unknown>();
  return new Proxy(store, {
    get(target, name, receiver) {
      const value: unknown = Reflect.get(target, name, receiver);
      if (typeof value !== 'function' || typeof name !== 'string') return value;
      let timed = wrapped.get(value);
      if (timed === undefined) {
        const method = value as (...args: unknown[]) => unknown;
        timed = (...args: unknown[]): unknown => {
          const started = performance.now();
          const result = method.apply(target, args);
          if (!(result instanceof Promise)) return result;
          return result.then(
            (v: unknown) => {
              observe(name, (performance.now() - started) / 1000, false);
              return v;
            },
            (error: unknown) => {
              observe(name, (performance.now() - started) / 1000, true);
              throw error;
            },
          );
        };
        wrapped.set(value, timed);
      }
      return timed;
    },
  });
}
