/**
 * Alerts: pure decisions and rendering for the alert router. Routing by severity, thread rules, dedup
 * keys, storm grouping, Slack failure classification, and the Block Kit layouts of every message.
 */
export {
  type Alert,
  type AlertEvent,
  AlertEventSchema,
  type AlertRoute,
  alertSubject,
  dedupKey,
  isAlarmEvent,
  parseAlertEvent,
  toAlert,
} from "./alert.js";
export {
  backoffMs,
  classifySlackFailure,
  type DeliveryVerdict,
  MIN_RATE_LIMIT_WAIT_MS,
  PERMANENT_SLACK_ERRORS,
  type SlackErrorLike,
} from "./delivery.js";
export { AlertDeliveryError, SlackTokenMissingError } from "./errors.js";
export { formatDuration, formatTime, parseAwsTime, STATE_STYLE } from "./format.js";
export { type MetricWidget, metricWidget } from "./graph.js";
export { alarmConsoleUrl, alarmNameFromArn, logGroupConsoleUrl } from "./links.js";
export { type AlarmRenderContext, renderAlarmMessage } from "./render-alarm.js";
export { type ClawopsRenderContext, renderClawopsMessage } from "./render-clawops.js";
export {
  paginateStorm,
  renderResolvedParent,
  renderStormPage,
  renderThreadReply,
  STORM_PAGE_CHARS,
  type StormRenderContext,
} from "./render-thread.js";
export {
  type AlertReplayRequest,
  type DeadLetterMessage,
  deadLetteredAlert,
  isAlertReplayRequest,
  isDeliveryFailedAnnouncement,
  isSupersededReplay,
  parseRouterInput,
  replayNote,
} from "./replay.js";
export { isActionsSuppressed, isProblem, type RouteDecision, routeAlert } from "./route.js";
export {
  type AlertRouterSettings,
  AlertRouterSettingsSchema,
  alertRouterSettings,
  parseAlertRouterSettings,
} from "./settings.js";
export { ALERT_SEVERITIES, alarmSeverity, clawopsSeverity, highestSeverity } from "./severity.js";
export { type SentBlock, type SentText, slackBlocks } from "./slack-blocks.js";
export {
  alarmLockItemKey,
  dedupItemKey,
  deliveryItemKey,
  expiresAt,
  stormItemKey,
  threadItemKey,
} from "./state-keys.js";
export {
  decideStorm,
  packByBudget,
  type StormEntry,
  type StormRenderStep,
  stormPages,
  stormRenderStep,
  stormWindowStart,
} from "./storm.js";
export {
  type AlarmThread,
  type AlarmTransition,
  alarmTransition,
  closeOnUndeliveredOk,
  decideThread,
  type ThreadDecision,
} from "./thread.js";
