/**
 * Groups what a cursor yields into arrays of `size` (the last one shorter, none when empty), so a
 * sweep reads a collection in ONE pass: paging with `_id > after` plus a sort costs the MongoDB
 * stand-in a full scan and sort per page. Leaving the loop early closes the cursor.
 */
export async function* pagesOf<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`page size must be a whole number ≥ 1, got ${size}`);
  let page: T[] = [];
  for await (const item of items) {
    page.push(item);
    if (page.length >= size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}
