/**
 * @clawops/sandbox: the embedded default. A local stand-in for AWS (command-level models behind the client
 * factory), real gateway processes, local Slack and DynamoDB servers, a local event bus, Step Functions from
 * the ASL files, schedules, all on one clock. `createSandbox` composes them; the game day runs scenes on it.
 */
export { AutoScalingEngine, LifecycleState } from "./aws/autoscaling-engine.js";
export type { CloudWatchModel } from "./aws/cloudwatch.js";
export type { Ec2Data, IpPermission, SecurityGroup } from "./aws/ec2.js";
export type { SecretsManagerModel } from "./aws/secretsmanager.js";
export { SimulatedAws, type SimulatedAwsOptions } from "./aws/simulated-aws.js";
export { AwsSimulator, awsError, type Fault, type RecordedCall, type ServiceModel } from "./aws/simulator.js";
export type { ScriptResult, ScriptSimulator, SsmModel } from "./aws/ssm.js";
export type {
  GatewayProcessesLike,
  InstanceTimings,
  SandboxEvent,
  SandboxWorld,
  SimInstance,
} from "./aws/world.js";
export { type BusRule, type Delivery, type EventTarget, LocalEventBus } from "./bus.js";
export { type Clock, SandboxClock } from "./clock.js";
export { gameDayScenes, runGameDay, type Scene, type SceneResult, type Timeline } from "./gameday/index.js";
export {
  createSandbox,
  type FleetInstance,
  SANDBOX_STAGE,
  type Sandbox,
  type SandboxOptions,
} from "./sandbox.js";
export { nextFiring, Schedules } from "./schedules.js";
export {
  type ExecutionRecord,
  LocalStepFunctions,
  type StateMachineSpec,
  type TaskHandler,
} from "./stepfunctions.js";
