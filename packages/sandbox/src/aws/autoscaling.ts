import {
  type AutoScalingEngine,
  type AutoScalingGroup,
  type GroupMember,
  LAUNCHING,
  type LifecycleAction,
  LifecycleState,
  type LifecycleTransition,
  TERMINATING,
} from "./autoscaling-engine.js";
import { paginate } from "./pagination.js";
import { awsError, type ServiceModel } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

type Input = Record<string, unknown>;

const str = (input: Input, key: string): string | undefined =>
  typeof input[key] === "string" ? (input[key] as string) : undefined;

function required(input: Input, key: string): string {
  const value = str(input, key);
  if (!value)
    throw awsError(
      "ValidationError",
      `1 validation error detected: Value null at '${key}' failed to satisfy constraint: Member must not be null`,
    );
  return value;
}

/** Auto Scaling's answer for an action that expired, completed, or never existed: the cases look the same. */
function noActiveAction(input: Input): Error {
  const token = str(input, "LifecycleActionToken");
  return token
    ? awsError("ValidationError", `No active Lifecycle Action found with token ${token}`)
    : awsError(
        "ValidationError",
        `No active Lifecycle Action found with instance ID ${str(input, "InstanceId") ?? ""}`,
      );
}

/** The pending action a CompleteLifecycleAction / RecordLifecycleActionHeartbeat call names (token or instance id). */
function findAction(engine: AutoScalingEngine, input: Input): LifecycleAction {
  const group = required(input, "AutoScalingGroupName");
  const hook = required(input, "LifecycleHookName");
  const token = str(input, "LifecycleActionToken");
  const instanceId = str(input, "InstanceId");
  const match = [...engine.actions.values()].find(
    (a) =>
      a.hook.AutoScalingGroupName === group &&
      a.hook.LifecycleHookName === hook &&
      (token ? a.token === token : a.instanceId === instanceId),
  );
  if (!match) throw noActiveAction(input);
  return match;
}

function describeMember(world: SandboxWorld, group: AutoScalingGroup, member: GroupMember) {
  const instance = world.instances.get(member.instanceId);
  const template = group.launch.launchTemplate;
  return {
    InstanceId: member.instanceId,
    InstanceType: instance?.instanceType ?? group.launch.instanceType,
    AvailabilityZone: instance?.availabilityZone,
    LifecycleState: member.lifecycleState,
    HealthStatus: member.healthStatus,
    ...(template
      ? {
          LaunchTemplate: {
            LaunchTemplateId: template.id,
            LaunchTemplateName: template.name,
            Version: template.version,
          },
        }
      : {}),
    ProtectedFromScaleIn: false,
  };
}

function describeGroup(world: SandboxWorld, group: AutoScalingGroup) {
  const template = group.launch.launchTemplate;
  return {
    AutoScalingGroupName: group.name,
    AutoScalingGroupARN: group.arn,
    MinSize: group.min,
    MaxSize: group.max,
    DesiredCapacity: group.desired,
    DefaultCooldown: 300,
    AvailabilityZones: [...new Set(group.launch.subnets.map((s) => s.availabilityZone))],
    HealthCheckType: "EC2",
    HealthCheckGracePeriod: group.healthCheckGracePeriod,
    Instances: [...group.members.values()].map((m) => describeMember(world, group, m)),
    CreatedTime: new Date(group.createdAt),
    VPCZoneIdentifier: group.launch.subnets.map((s) => s.subnetId).join(","),
    ...(template
      ? {
          LaunchTemplate: {
            LaunchTemplateId: template.id,
            LaunchTemplateName: template.name,
            Version: template.version,
          },
        }
      : {}),
    TerminationPolicies: ["Default"],
    NewInstancesProtectedFromScaleIn: false,
    Tags: [],
  };
}

function activity(world: SandboxWorld, group: string, description: string, cause: string) {
  return {
    ActivityId: world.uuid("activity"),
    AutoScalingGroupName: group,
    Description: description,
    Cause: cause,
    StartTime: new Date(world.clock.now()),
    StatusCode: "InProgress",
    Progress: 0,
  };
}

/** Auto Scaling as a command-level model over the engine (groups, lifecycle hooks, health, capacity). */
export function autoScalingModel(world: SandboxWorld, engine: AutoScalingEngine): ServiceModel {
  return {
    service: "AutoScaling",
    commands: {
      // The engine keeps no activity history: an honest empty list (readiness then relies on a failure drill).
      DescribeScalingActivities(input) {
        const group = str(input, "AutoScalingGroupName");
        // Newest first, as AWS lists them.
        const activities = engine.activities.filter((a) => !group || a.groupName === group).reverse();
        const page = paginate(activities, {
          maxResults: input.MaxRecords as number | undefined,
          nextToken: str(input, "NextToken"),
          defaultSize: 100,
        });
        return {
          Activities: page.items.map((a) => ({
            ActivityId: a.activityId,
            AutoScalingGroupName: a.groupName,
            Description: a.description,
            Cause: a.description,
            StartTime: new Date(a.startTime),
            StatusCode: "Successful",
            Progress: 100,
          })),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
      DescribeAutoScalingGroups(input) {
        const names = (input.AutoScalingGroupNames as string[] | undefined) ?? [];
        const groups = [...engine.groups.values()].filter(
          (g) => names.length === 0 || names.includes(g.name),
        );
        const page = paginate(groups, {
          maxResults: input.MaxRecords as number | undefined,
          nextToken: str(input, "NextToken"),
          defaultSize: 50,
        });
        return {
          AutoScalingGroups: page.items.map((g) => describeGroup(world, g)),
          NextToken: page.nextToken,
        };
      },
      DescribeAutoScalingInstances(input) {
        const ids = (input.InstanceIds as string[] | undefined) ?? [];
        const rows = [...engine.groups.values()].flatMap((group) =>
          [...group.members.values()]
            .filter((m) => ids.length === 0 || ids.includes(m.instanceId))
            .map((m) => {
              const row = describeMember(world, group, m);
              // This API spells health in capitals, unlike DescribeAutoScalingGroups.
              return { ...row, AutoScalingGroupName: group.name, HealthStatus: m.healthStatus.toUpperCase() };
            }),
        );
        const page = paginate(rows, {
          maxResults: input.MaxRecords as number | undefined,
          nextToken: str(input, "NextToken"),
          defaultSize: 50,
        });
        return { AutoScalingInstances: page.items, NextToken: page.nextToken };
      },
      // A group without a warm pool answers no configuration and no instances, as AWS does. The pool's instances
      // are listed here only: DescribeAutoScalingGroups never lists them and the model's
      // DescribeAutoScalingInstances does not either (AWS does not document that it does).
      DescribeWarmPool(input) {
        const group = engine.group(required(input, "AutoScalingGroupName"));
        const max = maxRecords(input, 50);
        const pool = group.warmPool;
        if (!pool) return { Instances: [] };
        const page = paginate([...pool.members.values()], {
          maxResults: max,
          nextToken: str(input, "NextToken"),
          defaultSize: 50,
        });
        return {
          WarmPoolConfiguration: {
            MinSize: pool.minSize,
            PoolState: pool.poolState,
            InstanceReusePolicy: { ReuseOnScaleIn: pool.reuseOnScaleIn },
          },
          Instances: page.items.map((m) => describeMember(world, group, m)),
          ...(page.nextToken ? { NextToken: page.nextToken } : {}),
        };
      },
      DescribeInstanceRefreshes(input) {
        const group = engine.group(required(input, "AutoScalingGroupName"));
        const max = maxRecords(input, 100);
        const ids = (input.InstanceRefreshIds as string[] | undefined) ?? [];
        // The most recent refresh first, as callers that read only the first page expect.
        const refreshes = [...group.instanceRefreshes]
          .reverse()
          .filter((r) => ids.length === 0 || ids.includes(r.instanceRefreshId));
        const page = paginate(refreshes, {
          maxResults: max,
          nextToken: str(input, "NextToken"),
          defaultSize: 50,
        });
        return {
          InstanceRefreshes: page.items.map((r) => ({
            InstanceRefreshId: r.instanceRefreshId,
            AutoScalingGroupName: group.name,
            Status: r.status,
            ...(r.statusReason ? { StatusReason: r.statusReason } : {}),
            StartTime: new Date(r.startTime),
            ...(r.endTime === undefined ? {} : { EndTime: new Date(r.endTime) }),
            PercentageComplete: r.percentageComplete,
            InstancesToUpdate: r.instancesToUpdate,
          })),
          NextToken: page.nextToken,
        };
      },
      DescribeLifecycleHooks(input) {
        const group = engine.group(required(input, "AutoScalingGroupName"));
        const names = (input.LifecycleHookNames as string[] | undefined) ?? [];
        return {
          LifecycleHooks: [...group.hooks.values()].filter(
            (h) => names.length === 0 || names.includes(h.LifecycleHookName),
          ),
        };
      },
      PutLifecycleHook(input) {
        const group = engine.group(required(input, "AutoScalingGroupName"));
        const transition = (str(input, "LifecycleTransition") ?? "") as LifecycleTransition;
        if (transition !== LAUNCHING && transition !== TERMINATING)
          throw awsError("ValidationError", `Invalid Lifecycle Transition: ${transition}`);
        const heartbeat = (input.HeartbeatTimeout as number | undefined) ?? 3600;
        if (heartbeat < 30 || heartbeat > 7200)
          throw awsError("ValidationError", "Heartbeat timeout must be between 30 and 7200 seconds");
        const result = str(input, "DefaultResult") ?? "ABANDON";
        if (result !== "CONTINUE" && result !== "ABANDON")
          throw awsError("ValidationError", `Invalid DefaultResult: ${result}`);
        engine.putHook(group, {
          LifecycleHookName: required(input, "LifecycleHookName"),
          LifecycleTransition: transition,
          HeartbeatTimeout: heartbeat,
          DefaultResult: result,
          NotificationMetadata: str(input, "NotificationMetadata"),
        });
        return {};
      },
      CompleteLifecycleAction(input) {
        const result = str(input, "LifecycleActionResult");
        if (result !== "CONTINUE" && result !== "ABANDON")
          throw awsError("ValidationError", "LifecycleActionResult must be CONTINUE or ABANDON");
        engine.complete(findAction(engine, input), result);
        return {};
      },
      RecordLifecycleActionHeartbeat(input) {
        engine.heartbeat(findAction(engine, input));
        return {};
      },
      SetInstanceHealth(input) {
        const instanceId = required(input, "InstanceId");
        const status = required(input, "HealthStatus");
        const found = engine.memberOf(instanceId);
        if (!found)
          throw awsError(
            "ValidationError",
            `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
          );
        const { group, member } = found;
        if (status === "Healthy") {
          member.healthStatus = "Healthy";
          return {};
        }
        if (status !== "Unhealthy") throw awsError("ValidationError", `Invalid health status: ${status}`);
        // The grace period starts when the instance goes InService (after its launch hooks) and is respected by default.
        const grace = group.healthCheckGracePeriod * 1000;
        const inService = member.inServiceAt;
        const respect = input.ShouldRespectGracePeriod !== false;
        if (respect && grace > 0 && (inService === undefined || world.clock.now() < inService + grace)) {
          const age = inService === undefined ? 0 : Math.floor((world.clock.now() - inService) / 1000);
          throw awsError(
            "ValidationError",
            `Instance ${instanceId} is still within its health check grace period of ${group.healthCheckGracePeriod} seconds (in service for ${age} seconds)`,
          );
        }
        member.healthStatus = "Unhealthy";
        // AWS starts the replacement right after starting the termination, without waiting for it.
        engine.terminate(group, member);
        engine.reconcile(group);
        return {};
      },
      SetDesiredCapacity(input) {
        const group = engine.group(required(input, "AutoScalingGroupName"));
        const desired = Number(input.DesiredCapacity);
        if (desired > group.max)
          throw awsError(
            "ValidationError",
            `New SetDesiredCapacity value ${desired} is above max value ${group.max} for the AutoScalingGroup.`,
          );
        if (desired < group.min)
          throw awsError(
            "ValidationError",
            `New SetDesiredCapacity value ${desired} is below min value ${group.min} for the AutoScalingGroup.`,
          );
        group.desired = desired;
        engine.reconcile(group);
        return {};
      },
      TerminateInstanceInAutoScalingGroup(input) {
        const instanceId = required(input, "InstanceId");
        const found = engine.memberOf(instanceId);
        if (!found)
          throw awsError(
            "ValidationError",
            `Instance Id not found - No managed instance found for instance ID: ${instanceId}`,
          );
        const { group, member } = found;
        const decrement = input.ShouldDecrementDesiredCapacity === true;
        if (decrement) {
          if (group.desired - 1 < group.min)
            throw awsError(
              "ValidationError",
              `Currently, desiredSize equals minSize (${group.min}). Terminating instance without replacement will violate group's min size constraint. Either set shouldDecrementDesiredCapacity flag to false or lower group's min size.`,
            );
          group.desired -= 1;
        }
        engine.terminate(group, member);
        engine.reconcile(group);
        const cause = `At ${new Date(world.clock.now()).toISOString()} instance ${instanceId} was taken out of service in response to a user request${decrement ? ", shrinking the capacity" : ""}.`;
        return { Activity: activity(world, group.name, `Terminating EC2 instance: ${instanceId}`, cause) };
      },
    },
  };
}

export { LifecycleState };

/** A call's `MaxRecords`, refused as AWS refuses one outside 1..`limit`. */
function maxRecords(input: Record<string, unknown>, limit: number): number | undefined {
  const max = input.MaxRecords as number | undefined;
  if (max !== undefined && (max < 1 || max > limit))
    throw awsError(
      "ValidationError",
      `1 validation error detected: Value '${max}' at 'maxRecords' failed to satisfy constraint: Member must have value less than or equal to ${limit}`,
    );
  return max;
}
