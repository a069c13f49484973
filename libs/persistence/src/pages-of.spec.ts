import { pagesOf } from './pages-of';

async function* numbers(count: number, closed: { value: boolean }): AsyncGenerator<number> {
  try {
    for (let n = 0; n < count; n++) yield await Promise.resolve(n);
  } finally {
    closed.value = true;
  }
}

async function collect<T>(pages: AsyncIterable<T[]>): Promise<T[][]> {
  const out: T[][] = [];
  for await (const page of pages) out.push(page);
  return out;
}

describe('pagesOf', () => {
  it('groups items into full pages and a shorter last one, in order', async () => {
    const pages = await collect(pagesOf(numbers(7, { value: false }), 3));
    expect(pages).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('yields no page for an empty source and no empty last page for an exact multiple', async () => {
    expect(await collect(pagesOf(numbers(0, { value: false }), 3))).toEqual([]);
    expect((await collect(pagesOf(numbers(6, { value: false }), 3))).map((page) => page.length)).toEqual([3, 3]);
  });

  it('closes the source when the caller stops early', async () => {
    const closed = { value: false };
    for await (const page of pagesOf(numbers(100, closed), 10)) {
      expect(page).toHaveLength(10);
      break;
    }
    expect(closed.value).toBe(true);
  });

  it('refuses a page size below 1', async () => {
    await expect(collect(pagesOf(numbers(3, { value: false }), 0))).rejects.toThrow(RangeError);
  });
});
