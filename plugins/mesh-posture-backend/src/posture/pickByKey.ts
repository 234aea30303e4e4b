/*
 * A snapshot reads one cluster's telemetry once and hands the same lists to
 * every entity: picking an entity's items by scanning a whole list for each
 * entity is quadratic in the catalog. The lists are indexed once (by list
 * and key function, forgotten with the list) and each entity picks its
 * items by key, in the list's own order.
 */

type KeyOf<T> = (item: T) => string;

const indexes = new WeakMap<
  readonly unknown[],
  Map<KeyOf<any>, Map<string, number[]>>
>();

function indexOf<T>(list: readonly T[], keyOf: KeyOf<T>) {
  let byKeyFunction = indexes.get(list);
  if (!byKeyFunction) {
    byKeyFunction = new Map();
    indexes.set(list, byKeyFunction);
  }
  let index = byKeyFunction.get(keyOf);
  if (!index) {
    index = new Map();
    list.forEach((item, position) => {
      const key = keyOf(item);
      const positions = index!.get(key);
      if (positions) positions.push(position);
      else index!.set(key, [position]);
    });
    byKeyFunction.set(keyOf, index);
  }
  return index;
}

/**
 * The items of `list` whose key is one of `keys`, in the list's order:
 * what `list.filter(item => keys.has(keyOf(item)))` returns, without
 * reading the whole list again. `keyOf` must be the same function each
 * time for the index to be reused.
 */
export function pickByKey<T>(
  list: readonly T[],
  keyOf: KeyOf<T>,
  keys: ReadonlySet<string>,
): T[] {
  const index = indexOf(list, keyOf);
  const positions: number[] = [];
  for (const key of keys) {
    const found = index.get(key);
    if (found) positions.push(...found);
  }
  return positions.sort((a, b) => a - b).map(position => list[position]);
}
