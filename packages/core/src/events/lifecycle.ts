import * as z from "zod/mini";
import { eventBridgeEventSchema } from "./envelope.js";
import { AwsDetailType, EventSource } from "./sources.js";

/** Where an instance comes from or goes to in a lifecycle action; warm pools add `WarmPool`. */
export const LifecycleLocationSchema = z.enum(["EC2", "AutoScalingGroup", "WarmPool"]);

/** `EC2` | `AutoScalingGroup` | `WarmPool`. */
export type LifecycleLocation = z.infer<typeof LifecycleLocationSchema>;

/**
 * An EC2 instance id (`i-` and 8 or 17 hex digits). It names Step Functions executions and goes into Run
 * Command calls, so anything else is refused at the edge with a clear error.
 */
/** An EC2 instance id: `i-` and 8 or 17 hex digits. */
export const EC2_INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const Ec2InstanceIdSchema = z.string().check(z.regex(EC2_INSTANCE_ID));

/** A lifecycle action token: a UUID, as Auto Scaling hands them out (it names the gate's execution). */
export const LifecycleActionTokenSchema = z
  .string()
  .check(z.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/));

function lifecycleDetailSchema<const Transition extends string>(transition: Transition) {
  return z.looseObject({
    /** Completes or heartbeats this action; expires with the hook's timeout. */
    LifecycleActionToken: LifecycleActionTokenSchema,
    AutoScalingGroupName: z.string(),
    LifecycleHookName: z.string(),
    EC2InstanceId: Ec2InstanceIdSchema,
    LifecycleTransition: z.literal(transition),
    NotificationMetadata: z.optional(z.string()),
    /** Present when the group has a warm pool, and in newer events generally. */
    Origin: z.optional(LifecycleLocationSchema),
    Destination: z.optional(LifecycleLocationSchema),
    RequestId: z.optional(z.string()),
  });
}

/**
 * The `detail` of a launch lifecycle action. A warm pool fires it twice for one instance: entering the
 * pool (`Destination: "WarmPool"`) and leaving it for the group (`Origin: "WarmPool"`).
 */
export const LifecycleLaunchDetailSchema = lifecycleDetailSchema("autoscaling:EC2_INSTANCE_LAUNCHING");

/** The `detail` of a launch lifecycle action. */
export type LifecycleLaunchDetail = z.infer<typeof LifecycleLaunchDetailSchema>;

/** The `detail` of a terminate lifecycle action. */
export const LifecycleTerminateDetailSchema = lifecycleDetailSchema("autoscaling:EC2_INSTANCE_TERMINATING");

/** The `detail` of a terminate lifecycle action. */
export type LifecycleTerminateDetail = z.infer<typeof LifecycleTerminateDetailSchema>;

/**
 * An instance waits in `Pending:Wait` (or `Warmed:Pending:Wait`) for the launch gate. Delivery is best
 * effort: the lifecycle reconciler catches the ones EventBridge never delivers.
 *
 * @example
 * {
 *   "version": "0", "id": "3e3f5a4c-...", "detail-type": "EC2 Instance-launch Lifecycle Action",
 *   "source": "aws.autoscaling", "account": "123456789012", "time": "yyyy-mm-ddThh:mm:ssZ",
 *   "region": "us-east-1", "resources": ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:..."],
 *   "detail": {
 *     "LifecycleActionToken": "c613620e-07e2-4ed2-a9e2-ef8258911ade",
 *     "AutoScalingGroupName": "clawops-test-fleet", "LifecycleHookName": "clawops-launch-gate",
 *     "EC2InstanceId": "i-0abc1234def567890", "LifecycleTransition": "autoscaling:EC2_INSTANCE_LAUNCHING",
 *     "Origin": "EC2", "Destination": "AutoScalingGroup"
 *   }
 * }
 */
export const LifecycleLaunchEventSchema = eventBridgeEventSchema(
  EventSource.AutoScaling,
  AwsDetailType.LaunchLifecycleAction,
  LifecycleLaunchDetailSchema,
);

/** A launch lifecycle action event. */
export type LifecycleLaunchEvent = z.infer<typeof LifecycleLaunchEventSchema>;

/**
 * An instance waits in `Terminating:Wait` for the drain.
 *
 * @example
 * {
 *   "version": "0", "id": "8b1f0c2e-...", "detail-type": "EC2 Instance-terminate Lifecycle Action",
 *   "source": "aws.autoscaling", "account": "123456789012", "time": "2026-03-02T11:00:00Z",
 *   "region": "us-east-1", "resources": ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:..."],
 *   "detail": {
 *     "LifecycleActionToken": "0f6d6c4e-5b0a-4a52-9d0b-1f2e3d4c5b6a",
 *     "AutoScalingGroupName": "clawops-test-fleet", "LifecycleHookName": "clawops-drain",
 *     "EC2InstanceId": "i-0abc1234def567890", "LifecycleTransition": "autoscaling:EC2_INSTANCE_TERMINATING",
 *     "Origin": "AutoScalingGroup", "Destination": "EC2"
 *   }
 * }
 */
export const LifecycleTerminateEventSchema = eventBridgeEventSchema(
  EventSource.AutoScaling,
  AwsDetailType.TerminateLifecycleAction,
  LifecycleTerminateDetailSchema,
);

/** A terminate lifecycle action event. */
export type LifecycleTerminateEvent = z.infer<typeof LifecycleTerminateEventSchema>;
