import { awsError } from "./simulator.js";

/** One page of a list and the token of the next page (absent on the last page). */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

/**
 * Pages a list the way AWS list/describe APIs do: an opaque `NextToken` (here the offset, base64) and a page
 * size capped by the service's maximum. A token the service did not issue fails like AWS's own.
 */
export function paginate<T>(
  items: readonly T[],
  options: { maxResults?: number; nextToken?: string; defaultSize: number; errorName?: string },
): Page<T> {
  const size = options.maxResults ?? options.defaultSize;
  let start = 0;
  if (options.nextToken) {
    const decoded = Number(
      Buffer.from(options.nextToken, "base64")
        .toString("utf8")
        .replace(/^offset:/, ""),
    );
    if (!Number.isInteger(decoded) || decoded < 0 || decoded > items.length) {
      throw awsError(options.errorName ?? "InvalidNextToken", "The specified NextToken is not valid.");
    }
    start = decoded;
  }
  const end = start + size;
  const page = items.slice(start, end);
  return end < items.length
    ? { items: page, nextToken: Buffer.from(`offset:${end}`).toString("base64") }
    : { items: page };
}
