/**
 * The EventBridge client and `PutEvents`, the target of `failure.ts`'s lazy import: importing the package
 * itself with `import()` makes every export of it live, and esbuild emits what they share with the entry's
 * files into chunks every cold start loads.
 */
export { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
