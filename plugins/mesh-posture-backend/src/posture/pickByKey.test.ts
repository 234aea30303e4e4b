import { pickByKey } from './pickByKey';

describe('pickByKey', () => {
  const keyOf = (item: { w: string }) => item.w;

  it('picks what a filter picks, in the list order', () => {
    const list = [
      { w: 'a', n: 1 },
      { w: 'b', n: 2 },
      { w: 'a', n: 3 },
      { w: 'c', n: 4 },
    ];
    const keys = new Set(['c', 'a', 'z']);
    expect(pickByKey(list, keyOf, keys)).toEqual(
      list.filter(item => keys.has(item.w)),
    );
    expect(pickByKey(list, keyOf, new Set())).toEqual([]);
  });

  it('indexes a list once per key function, and another list anew', () => {
    const list = [{ w: 'a' }, { w: 'b' }];
    const counting = jest.fn(keyOf);
    pickByKey(list, counting, new Set(['a']));
    pickByKey(list, counting, new Set(['b']));
    expect(counting).toHaveBeenCalledTimes(2);
    const other = [{ w: 'b' }];
    expect(pickByKey(other, counting, new Set(['b']))).toEqual([{ w: 'b' }]);
    expect(counting).toHaveBeenCalledTimes(3);
  });
});
