import * as z from "zod/mini";

/**
 * The fields every EventBridge event carries around its `detail`. `time` and `account` are plain strings
 * on purpose: AWS's own published samples use placeholders (`yyyy-mm-ddThh:mm:ssZ`, `111122223333`), and
 * a handler never needs them to be well-formed. Unknown fields are kept, not rejected.
 *
 * @example
 * {
 *   "version": "0",
 *   "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
 *   "detail-type": "EC2 Instance-launch Lifecycle Action",
 *   "source": "aws.autoscaling",
 *   "account": "123456789012",
 *   "time": "2026-03-02T10:15:30Z",
 *   "region": "us-east-1",
 *   "resources": ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:..."],
 *   "detail": {}
 * }
 */
export const EventBridgeEnvelopeSchema = z.looseObject({
  version: z.string(),
  id: z.string(),
  "detail-type": z.string(),
  source: z.string(),
  account: z.string(),
  time: z.string(),
  region: z.string(),
  resources: z.array(z.string()),
  detail: z.unknown(),
});

/** Any EventBridge event, `detail` not yet interpreted. */
export type EventBridgeEnvelope = z.infer<typeof EventBridgeEnvelopeSchema>;

/**
 * The schema of one kind of event: the envelope with `source` and `detail-type` pinned to literals (so a
 * launch event never parses as a terminate event) and `detail` given by `detail`.
 */
export function eventBridgeEventSchema<
  const Source extends string,
  const DetailType extends string,
  Detail extends z.core.SomeType,
>(source: Source, detailType: DetailType, detail: Detail) {
  return z.looseObject({
    ...EventBridgeEnvelopeSchema.shape,
    "detail-type": z.literal(detailType),
    source: z.literal(source),
    detail,
  });
}
