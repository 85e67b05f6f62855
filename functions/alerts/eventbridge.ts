/**
 * The EventBridge client and `PutEvents`, the target of `failure.ts`'s lazy import (only an undelivered alert
 * needs it): built as a bundle of its own (stacks/lazy-bundles.ts) that holds just these two, where `import()` of
 * the package itself would make every export of it live.
 */
export { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
