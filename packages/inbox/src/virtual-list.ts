import {
  Virtualizer,
  elementScroll,
  measureElement,
  observeElementOffset,
  observeElementRect,
} from '@tanstack/virtual-core';
import { useLayoutEffect, useReducer, useRef, useState } from 'preact/hooks';

export interface ChatListOptions {
  count: number;
  getItemKey: (index: number) => string;
  estimateSize: (index: number) => number;
  /** Called when the reader is near the top (older items should load). */
  onNearStart?: () => void;
}

/**
 * A virtualised chat list: only the bubbles in view (plus some overscan) are in the DOM, each
 * measured once rendered. Anchored at the end, so older pages prepended above keep what is on
 * screen still, and a new message follows the bottom only when the reader was already there.
 */
export function useChatList(options: ChatListOptions) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const latest = useRef(options);
  latest.current = options;

  const make = (): Virtualizer<HTMLDivElement, HTMLDivElement> =>
    new Virtualizer<HTMLDivElement, HTMLDivElement>(config());
  const config = () => ({
    count: latest.current.count,
    getScrollElement: () => scrollRef.current,
    estimateSize: (i: number) => latest.current.estimateSize(i),
    getItemKey: (i: number) => latest.current.getItemKey(i),
    scrollToFn: elementScroll,
    observeElementRect,
    observeElementOffset,
    measureElement,
    overscan: 10,
    anchorTo: 'end' as const,
    followOnAppend: true,
    paddingStart: 16,
    paddingEnd: 8,
    onChange: (v: Virtualizer<HTMLDivElement, HTMLDivElement>) => {
      rerender(0);
      // Only a reader scrolling up (or a list too short to scroll) asks for more: not the first render at offset 0.
      const near = (v.scrollOffset ?? Infinity) < 400;
      const short = v.getTotalSize() <= (v.scrollRect?.height ?? 0);
      if (v.options.count > 0 && ((near && v.scrollDirection === 'backward') || short)) latest.current.onNearStart?.();
    },
  });
  const [virtualizer] = useState(make);
  virtualizer.setOptions(config());

  useLayoutEffect(() => virtualizer._didMount(), [virtualizer]);
  useLayoutEffect(() => {
    virtualizer._willUpdate();
  });

  return { virtualizer, scrollRef };
}
