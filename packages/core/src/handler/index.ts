export { type DeadLetterRecord, deadLetterRecordOf, sendToDeadLetterQueue } from "./dead-letter.js";
export {
  type DeadLettered,
  type HandlerContext,
  type InvocationKind,
  isDeadLettered,
  type LambdaHandlerOptions,
  lambdaHandler,
} from "./lambda-handler.js";
