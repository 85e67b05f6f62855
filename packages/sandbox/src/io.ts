/**
 * The sandbox's real-process and real-server parts: gateway processes and their probe, the local
 * Slack-compatible Web API server, and the in-process DynamoDB server. `createSandbox` composes them.
 */

export {
  createStateTable,
  dynamoClientConfig,
  type LocalDynamo,
  LocalDynamoError,
  startDynamo,
} from "./dynamo.js";
export { GatewayProcessError, GatewayStartError } from "./gateway/errors.js";
export {
  GATEWAY_SERVER_SCRIPT,
  type GatewayHandle,
  GatewayMode,
  GatewayProcesses,
  type GatewayProcessesOptions,
  type GatewayStartOptions,
  type GatewayStatus,
} from "./gateway/gateway-fleet.js";
export { CurlExit, probeGateway } from "./gateway/probe.js";
export { SlackLimits } from "./slack/blocks.js";
export { SlackMethodError, UnknownChannelError } from "./slack/errors.js";
export type { SlackIdentity } from "./slack/methods.js";
export type { RateLimitOptions } from "./slack/rate-limit.js";
export {
  SLACK_UPLOAD_METHOD,
  type SlackCall,
  type SlackServer,
  type SlackServerOptions,
  startSlackServer,
} from "./slack/server.js";
export { escapeHtml, renderSlackView } from "./slack/view.js";
export type { SlackChannelView, SlackEdit, SlackFile, SlackMessage } from "./slack/workspace.js";
