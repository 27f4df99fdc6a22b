/**
 * Layout of the Arrivals grid: day headers and rows of tiles over the items loaded so far, with row
 * offsets for windowing (only rows near the viewport are drawn) and an estimate for what is not loaded.
 */
import type { Arrival } from '$shared/app-api';
import { dayKey, dayLabel } from './format';

export type Row =
  | { type: 'day'; key: string; label: string; top: number; height: number }
  | { type: 'tiles'; key: string; start: number; end: number; top: number; height: number };

export interface Layout {
  rows: Row[];
  /** Height of the loaded rows plus an estimate for the items not loaded yet. */
  height: number;
  perRow: number;
  tile: number;
  /** Row index holding each item index. */
  rowOfItem: Int32Array;
}

export const HEADER_HEIGHT = 44;
export const GAP = 8;
export const MIN_TILE = 150;

export function computeLayout(items: readonly Arrival[], total: number, width: number): Layout {
  const perRow = Math.max(1, Math.floor((width + GAP) / (MIN_TILE + GAP)));
  const tile = Math.floor((width - GAP * (perRow - 1)) / perRow);
  const rowHeight = tile + GAP;
  const rows: Row[] = [];
  const rowOfItem = new Int32Array(items.length);
  let top = 0;
  let i = 0;
  while (i < items.length) {
    const day = dayKey(items[i]!.storedAt);
    rows.push({ type: 'day', key: `d${day}`, label: dayLabel(items[i]!.storedAt), top, height: HEADER_HEIGHT });
    top += HEADER_HEIGHT;
    let j = i;
    while (j < items.length && dayKey(items[j]!.storedAt) === day) j += 1;
    for (let start = i; start < j; start += perRow) {
      const end = Math.min(j, start + perRow);
      for (let k = start; k < end; k += 1) rowOfItem[k] = rows.length;
      rows.push({ type: 'tiles', key: `t${start}`, start, end, top, height: rowHeight });
      top += rowHeight;
    }
    i = j;
  }
  const missing = Math.max(0, total - items.length);
  return { rows, height: top + Math.ceil(missing / perRow) * rowHeight, perRow, tile, rowOfItem };
}

/** Rows intersecting [from, to] (binary search on row tops). */
export function visibleRows(rows: readonly Row[], from: number, to: number): Row[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const row = rows[mid]!;
    if (row.top + row.height < from) lo = mid + 1;
    else hi = mid;
  }
  const out: Row[] = [];
  for (let k = lo; k < rows.length && rows[k]!.top <= to; k += 1) out.push(rows[k]!);
  return out;
}
