import * as z from "zod/mini";
import { eventBridgeEventSchema } from "./envelope.js";
import { AwsDetailType, EventSource } from "./sources.js";

/**
 * The `detail` of a Run Command invocation status change (one instance of one command). `status` is a
 * plain string (Pending, InProgress, Delayed, Success, Cancelled, TimedOut, Failed, Cancelling today).
 */
export const CommandInvocationStatusDetailSchema = z.looseObject({
  "command-id": z.string(),
  "instance-id": z.string(),
  status: z.string(),
  "document-name": z.optional(z.string()),
  "requested-date-time": z.optional(z.string()),
});

/** The `detail` of a command invocation status change. */
export type CommandInvocationStatusDetail = z.infer<typeof CommandInvocationStatusDetailSchema>;

/**
 * A Run Command invocation on one instance changed status. It carries no output: read that with
 * GetCommandInvocation (stdout is cut at 24,000 characters).
 *
 * @example
 * {
 *   "version": "0", "id": "4bd3e2a1-...", "detail-type": "EC2 Command Invocation Status-change Notification",
 *   "source": "aws.ssm", "account": "123456789012", "time": "2026-03-02T10:16:02Z", "region": "us-east-1",
 *   "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234def567890"],
 *   "detail": { "command-id": "e8d3c0e4-...", "document-name": "AWS-RunShellScript",
 *     "instance-id": "i-0abc1234def567890", "requested-date-time": "2026-03-02T10:16:00.049Z", "status": "Success" }
 * }
 */
export const CommandInvocationStatusEventSchema = eventBridgeEventSchema(
  EventSource.Ssm,
  AwsDetailType.CommandInvocationStatusChange,
  CommandInvocationStatusDetailSchema,
);

/** A command invocation status change event. */
export type CommandInvocationStatusEvent = z.infer<typeof CommandInvocationStatusEventSchema>;
