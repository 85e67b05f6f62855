/**
 * The CloudWatch client and the commands the router sends, the target of `graph.ts`'s lazy import. Importing
 * the package itself with `import()` makes every export of it live (waiters, paginators), and esbuild emits
 * that code into the chunks shared with the entry (they hold other parts of the same `@smithy/core` files),
 * which every cold start loads.
 */
export {
  CloudWatchClient,
  GetMetricWidgetImageCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cloudwatch";
