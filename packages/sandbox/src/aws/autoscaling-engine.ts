import { restGatewayInPool, wakeGatewayFromPool } from "./gateway-unit.js";
import { awsError } from "./simulator.js";
import type { SandboxWorld } from "./world.js";

/** Auto Scaling instance lifecycle states, as `LifecycleState` spells them. */
export const LifecycleState = {
  Pending: "Pending",
  PendingWait: "Pending:Wait",
  PendingProceed: "Pending:Proceed",
  InService: "InService",
  Terminating: "Terminating",
  TerminatingWait: "Terminating:Wait",
  TerminatingProceed: "Terminating:Proceed",
  Terminated: "Terminated",
  WarmedPending: "Warmed:Pending",
  WarmedPendingWait: "Warmed:Pending:Wait",
  WarmedPendingProceed: "Warmed:Pending:Proceed",
  WarmedStopped: "Warmed:Stopped",
  WarmedRunning: "Warmed:Running",
  WarmedHibernated: "Warmed:Hibernated",
  WarmedTerminating: "Warmed:Terminating",
  WarmedTerminated: "Warmed:Terminated",
} as const;
export type LifecycleState = (typeof LifecycleState)[keyof typeof LifecycleState];

export const LAUNCHING = "autoscaling:EC2_INSTANCE_LAUNCHING";
export const TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";
export type LifecycleTransition = typeof LAUNCHING | typeof TERMINATING;
export type LifecycleResult = "CONTINUE" | "ABANDON";

/** AWS's cap on a lifecycle action: 48 hours or 100 heartbeat timeouts, whichever is smaller. */
export function globalTimeoutSeconds(heartbeatSeconds: number): number {
  return Math.min(48 * 3600, 100 * heartbeatSeconds);
}

export interface LifecycleHook {
  readonly LifecycleHookName: string;
  readonly AutoScalingGroupName: string;
  readonly LifecycleTransition: LifecycleTransition;
  readonly HeartbeatTimeout: number;
  readonly GlobalTimeout: number;
  readonly DefaultResult: LifecycleResult;
  readonly NotificationMetadata?: string;
}

/** A pending lifecycle action: one hook waiting on one instance. */
export interface LifecycleAction {
  readonly token: string;
  readonly hook: LifecycleHook;
  readonly instanceId: string;
  readonly startedAt: number;
  /** When the default result applies unless a heartbeat or completion comes first. */
  deadline: number;
  /** The global cap; heartbeats never move the deadline past it. */
  readonly globalDeadline: number;
  cancel: () => void;
}

export interface GroupMember {
  readonly instanceId: string;
  lifecycleState: LifecycleState;
  healthStatus: "Healthy" | "Unhealthy";
  inServiceAt?: number;
  abandoned: boolean;
  /** Whether the gateway ran when the instance came to rest in a warm pool (a Hibernated pool resumes it so). */
  gatewayRanAtRest?: boolean;
}

/** What a group launches: the launch template's data, resolved. */
export interface GroupLaunchSpec {
  readonly imageId: string;
  readonly instanceType: string;
  readonly securityGroupIds: readonly string[];
  readonly subnets: readonly { subnetId: string; availabilityZone: string; vpcId: string }[];
  readonly launchTemplate?: { id: string; name: string; version: string };
  readonly iamInstanceProfileArn?: string;
}

/** Instance refresh statuses, as `DescribeInstanceRefreshes` spells them. */
export type InstanceRefreshStatus =
  | "Pending"
  | "InProgress"
  | "Successful"
  | "Failed"
  | "Cancelling"
  | "Cancelled"
  | "RollbackInProgress"
  | "RollbackFailed"
  | "RollbackSuccessful"
  | "Baking";

/** One instance refresh of a group (the engine does not replace instances for it: it is the group's record). */
export interface InstanceRefresh {
  readonly instanceRefreshId: string;
  status: InstanceRefreshStatus;
  statusReason?: string;
  readonly startTime: number;
  endTime?: number;
  percentageComplete: number;
  instancesToUpdate: number;
}

/** The state a warm pool's instances rest in once their launch hooks completed (PutWarmPool's `PoolState`). */
export type WarmPoolState = "Stopped" | "Running" | "Hibernated";

/**
 * A group's warm pool (PutWarmPool): instances launched ahead of need, which DescribeAutoScalingGroups does not
 * list (DescribeWarmPool does). The model keeps the pool at `minSize` (it launches into it when it is created and
 * whenever the group reconciles) and runs its instances through the launch hooks (`Warmed:Pending:Wait`, an event
 * with `Destination: "WarmPool"`). A scale out takes a rested pool instance before it launches a new one: the
 * instance goes through the launch hooks again (`Pending:Wait`, an event with `Origin: "WarmPool"`). With
 * `reuseOnScaleIn` a scale in returns the instance to the pool through the terminate hooks (`Warmed:Pending:Wait`,
 * an event with `Destination: "WarmPool"`) instead of terminating it. The pool state decides what happens to the
 * gateway process at rest and on leaving (`restGatewayInPool`, `wakeGatewayFromPool`); the EC2 instance itself
 * keeps its `running` state (the world has no stopped state), but its SSM agent is away while it is stopped or
 * hibernated.
 */
export interface WarmPool {
  readonly minSize: number;
  readonly poolState: WarmPoolState;
  /** `InstanceReusePolicy.ReuseOnScaleIn`. @default false */
  readonly reuseOnScaleIn: boolean;
  readonly members: Map<string, GroupMember>;
}

/** The pool states an instance rests in, ready to leave the pool for the group. */
const RESTED: readonly string[] = [
  LifecycleState.WarmedStopped,
  LifecycleState.WarmedRunning,
  LifecycleState.WarmedHibernated,
];

/** Where a lifecycle transition moves an instance, when a warm pool is involved. */
type PoolMove = "into-pool" | "from-pool";

export interface AutoScalingGroup {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  min: number;
  max: number;
  desired: number;
  readonly healthCheckGracePeriod: number;
  readonly launch: GroupLaunchSpec;
  readonly hooks: Map<string, LifecycleHook>;
  readonly members: Map<string, GroupMember>;
  /** The group's instance refreshes, oldest first (none unless someone starts one). */
  readonly instanceRefreshes: InstanceRefresh[];
  /** The group's warm pool, when one was put (none by default). */
  warmPool?: WarmPool;
}

const LEAVING: readonly string[] = [
  LifecycleState.Terminating,
  LifecycleState.TerminatingWait,
  LifecycleState.TerminatingProceed,
  LifecycleState.Terminated,
];

/**
 * The Auto Scaling group behaviour behind the API: launches to the desired capacity, lifecycle hooks with
 * tokens, heartbeats and timeouts on the sandbox clock, health replacement and scale-in.
 */
/** A scaling activity as DescribeScalingActivities lists it: AWS names the instance only in the description. */
export interface ScalingActivity {
  readonly activityId: string;
  readonly groupName: string;
  readonly description: string;
  readonly startTime: number;
}

export class AutoScalingEngine {
  readonly groups = new Map<string, AutoScalingGroup>();
  readonly actions = new Map<string, LifecycleAction>();
  /** Every launch and termination, oldest first. */
  readonly activities: ScalingActivity[] = [];
  private launches = 0;

  private recordActivity(group: AutoScalingGroup, description: string): void {
    this.activities.push({
      activityId: `activity-${this.activities.length + 1}`,
      groupName: group.name,
      description,
      startTime: this.world.clock.now(),
    });
  }

  constructor(private readonly world: SandboxWorld) {}

  /** Creates a group (seeded from the config) and launches it to its desired capacity. */
  createGroup(
    spec: Omit<
      AutoScalingGroup,
      "arn" | "createdAt" | "hooks" | "members" | "instanceRefreshes" | "warmPool"
    > & {
      hooks?: Omit<LifecycleHook, "AutoScalingGroupName" | "GlobalTimeout">[];
    },
  ): AutoScalingGroup {
    const uuid = this.world.uuid("asg");
    const group: AutoScalingGroup = {
      ...spec,
      arn: this.world.arn("autoscaling", `autoScalingGroup:${uuid}:autoScalingGroupName/${spec.name}`),
      createdAt: this.world.clock.now(),
      hooks: new Map(),
      members: new Map(),
      instanceRefreshes: [],
    };
    this.groups.set(group.name, group);
    for (const hook of spec.hooks ?? []) this.putHook(group, hook);
    this.reconcile(group);
    return group;
  }

  group(name: string): AutoScalingGroup {
    const group = this.groups.get(name);
    if (!group) throw awsError("ValidationError", `Group ${name} not found`);
    return group;
  }

  putHook(
    group: AutoScalingGroup,
    hook: Omit<LifecycleHook, "AutoScalingGroupName" | "GlobalTimeout">,
  ): LifecycleHook {
    const full: LifecycleHook = {
      ...hook,
      AutoScalingGroupName: group.name,
      GlobalTimeout: globalTimeoutSeconds(hook.HeartbeatTimeout),
    };
    group.hooks.set(hook.LifecycleHookName, full);
    return full;
  }

  /** Gives the group a warm pool and launches it to its minimum size. */
  putWarmPool(
    group: AutoScalingGroup,
    options: { minSize?: number; poolState?: WarmPoolState; reuseOnScaleIn?: boolean } = {},
  ): WarmPool {
    const pool: WarmPool = {
      minSize: options.minSize ?? 0,
      poolState: options.poolState ?? "Stopped",
      reuseOnScaleIn: options.reuseOnScaleIn ?? false,
      members: group.warmPool?.members ?? new Map(),
    };
    group.warmPool = pool;
    this.replenishPool(group);
    return pool;
  }

  /** Launches into the group's warm pool until it holds its minimum size. */
  private replenishPool(group: AutoScalingGroup): void {
    const pool = group.warmPool;
    if (!pool) return;
    while (pool.members.size < pool.minSize) this.launch(group, pool);
  }

  /** The warm pool an instance is in. */
  pooledOf(instanceId: string): { group: AutoScalingGroup; pool: WarmPool; member: GroupMember } | undefined {
    for (const group of this.groups.values()) {
      const member = group.warmPool?.members.get(instanceId);
      if (member && group.warmPool) return { group, pool: group.warmPool, member };
    }
    return undefined;
  }

  /** The group an instance belongs to (terminated instances leave their group). */
  memberOf(instanceId: string): { group: AutoScalingGroup; member: GroupMember } | undefined {
    for (const group of this.groups.values()) {
      const member = group.members.get(instanceId);
      if (member) return { group, member };
    }
    return undefined;
  }

  /**
   * Launches or terminates until the instances not leaving the group match the desired capacity: a scale out
   * takes a rested warm-pool instance first, a scale in returns the instance to the pool with `reuseOnScaleIn`.
   * The pool is then launched back to its minimum size.
   */
  reconcile(group: AutoScalingGroup): void {
    const staying = () =>
      [...group.members.values()].filter((m) => !LEAVING.includes(m.lifecycleState) && !m.abandoned);
    while (staying().length < group.desired) {
      const warmed = [...(group.warmPool?.members.values() ?? [])].find((m) =>
        RESTED.includes(m.lifecycleState),
      );
      if (warmed && group.warmPool) this.leavePool(group, group.warmPool, warmed);
      else this.launch(group);
    }
    while (staying().length > group.desired) {
      const victim = this.scaleInVictim(staying());
      if (!victim) break;
      if (group.warmPool?.reuseOnScaleIn) this.returnToPool(group, group.warmPool, victim);
      else this.terminate(group, victim);
    }
    this.replenishPool(group);
  }

  /**
   * A rested pool instance leaves the pool for the group: it starts (a Stopped or Hibernated one takes EC2's
   * start time; its agent is back then), its gateway wakes as the pool state says, and the launch hooks run again
   * with `Origin: "WarmPool"`.
   */
  private leavePool(group: AutoScalingGroup, pool: WarmPool, member: GroupMember): void {
    pool.members.delete(member.instanceId);
    group.members.set(member.instanceId, member);
    member.lifecycleState = LifecycleState.Pending;
    this.recordActivity(group, `Launching an EC2 instance from the warm pool: ${member.instanceId}`);
    const instance = this.world.instances.get(member.instanceId);
    const wakeMs = pool.poolState === "Running" ? 0 : this.world.timings.runningAfterMs;
    this.world.clock.schedule(wakeMs, () => {
      if (member.lifecycleState !== LifecycleState.Pending) return;
      if (instance) {
        instance.agentRegistered = true;
        wakeGatewayFromPool(this.world, instance, pool.poolState, member.gatewayRanAtRest ?? false);
      }
      if (!this.enterHooks(group, member, LAUNCHING, "from-pool")) this.proceed(group, member);
    });
  }

  /**
   * Scale in with `ReuseOnScaleIn`: the instance goes back to the pool instead of being terminated, through the
   * terminate hooks (`Warmed:Pending:Wait`, an event with `Destination: "WarmPool"`), then rests in the pool's state.
   */
  private returnToPool(group: AutoScalingGroup, pool: WarmPool, member: GroupMember): void {
    for (const action of this.actionsOf(member.instanceId)) this.dropAction(action);
    group.members.delete(member.instanceId);
    pool.members.set(member.instanceId, member);
    member.inServiceAt = undefined;
    this.recordActivity(group, `Moving EC2 instance to the warm pool: ${member.instanceId}`);
    if (!this.enterHooks(group, member, TERMINATING, "into-pool"))
      this.settleInPool(pool, member, "CONTINUE");
  }

  /** Starts the termination of a member: terminate hooks fire, then the instance shuts down. */
  terminate(group: AutoScalingGroup, member: GroupMember): void {
    if (LEAVING.includes(member.lifecycleState)) return;
    for (const action of this.actionsOf(member.instanceId)) this.dropAction(action);
    member.lifecycleState = LifecycleState.Terminating;
    this.recordActivity(group, `Terminating EC2 instance: ${member.instanceId}`);
    if (!this.enterHooks(group, member, TERMINATING)) this.proceed(group, member);
  }

  complete(action: LifecycleAction, result: LifecycleResult): void {
    this.dropAction(action);
    const pooled = this.pooledOf(action.instanceId);
    if (pooled) {
      // A terminate hook cannot stop a return to the pool: ABANDON goes on like CONTINUE, as for any termination.
      const outcome = action.hook.LifecycleTransition === TERMINATING ? "CONTINUE" : result;
      if (this.actionsOf(action.instanceId).length > 0 && outcome === "CONTINUE") return;
      this.settleInPool(pooled.pool, pooled.member, outcome);
      return;
    }
    const found = this.memberOf(action.instanceId);
    if (!found) return;
    const { group, member } = found;
    if (action.hook.LifecycleTransition === LAUNCHING && result === "ABANDON") member.abandoned = true;
    if (this.actionsOf(member.instanceId).length > 0) return;
    if (member.lifecycleState === LifecycleState.PendingWait && member.abandoned) {
      // An abandoned launch is terminated and replaced.
      this.terminate(group, member);
      this.reconcile(group);
      return;
    }
    this.proceed(group, member);
  }

  /** Restarts the heartbeat timer, never past the global timeout. */
  heartbeat(action: LifecycleAction): void {
    action.cancel();
    action.deadline = Math.min(
      this.world.clock.now() + action.hook.HeartbeatTimeout * 1000,
      action.globalDeadline,
    );
    this.arm(action);
  }

  actionsOf(instanceId: string): LifecycleAction[] {
    return [...this.actions.values()].filter((a) => a.instanceId === instanceId);
  }

  /**
   * A warm-pool entry after its launch hooks (or a return after its terminate hooks): CONTINUE rests it in the
   * pool's state, its gateway and agent as that state leaves them; ABANDON terminates it (the model launches a
   * replacement into the pool only when the group next reconciles).
   */
  private settleInPool(pool: WarmPool, member: GroupMember, result: LifecycleResult): void {
    if (result === "ABANDON") {
      for (const action of this.actionsOf(member.instanceId)) this.dropAction(action);
      member.lifecycleState = LifecycleState.WarmedTerminating;
      this.world.terminateInstance(member.instanceId);
      this.world.clock.schedule(this.world.timings.terminatedAfterMs, () => {
        member.lifecycleState = LifecycleState.WarmedTerminated;
        pool.members.delete(member.instanceId);
      });
      return;
    }
    member.lifecycleState = LifecycleState.WarmedPendingProceed;
    this.world.clock.schedule(1_000, () => {
      if (member.lifecycleState !== LifecycleState.WarmedPendingProceed) return;
      member.lifecycleState = `Warmed:${pool.poolState}` as LifecycleState;
      member.gatewayRanAtRest = restGatewayInPool(this.world, member.instanceId, pool.poolState);
      const instance = this.world.instances.get(member.instanceId);
      if (instance && pool.poolState !== "Running") instance.agentRegistered = false;
    });
  }

  /** Launches an instance into the group, or into its warm pool when `pool` is given. */
  private launch(group: AutoScalingGroup, pool?: WarmPool): void {
    const subnet = group.launch.subnets[this.launches++ % group.launch.subnets.length];
    if (!subnet) throw new Error(`group ${group.name} has no subnets`);
    const instance = this.world.launchInstance({
      imageId: group.launch.imageId,
      instanceType: group.launch.instanceType,
      availabilityZone: subnet.availabilityZone,
      subnetId: subnet.subnetId,
      vpcId: subnet.vpcId,
      securityGroupIds: [...group.launch.securityGroupIds],
      launchTemplate: group.launch.launchTemplate,
      iamInstanceProfileArn: group.launch.iamInstanceProfileArn,
      tags: { "aws:autoscaling:groupName": group.name, Name: group.name },
    });
    const member: GroupMember = {
      instanceId: instance.instanceId,
      lifecycleState: pool ? LifecycleState.WarmedPending : LifecycleState.Pending,
      healthStatus: "Healthy",
      abandoned: false,
    };
    (pool ?? group).members.set(member.instanceId, member);
    this.recordActivity(
      group,
      pool
        ? `Launching a new EC2 instance into warm pool: ${member.instanceId}`
        : `Launching a new EC2 instance: ${member.instanceId}`,
    );
    // The launch hook (Pending:Wait and its event) starts once EC2 runs the instance; without a hook the
    // instance goes in service (or rests in the pool) then.
    this.world.clock.schedule(this.world.timings.runningAfterMs, () => {
      if (pool) {
        if (member.lifecycleState !== LifecycleState.WarmedPending) return;
        if (!this.enterHooks(group, member, LAUNCHING, "into-pool"))
          this.settleInPool(pool, member, "CONTINUE");
        return;
      }
      if (member.lifecycleState !== LifecycleState.Pending) return;
      if (!this.enterHooks(group, member, LAUNCHING)) this.proceed(group, member);
    });
  }

  /**
   * Puts the member in the transition's wait state with one action per hook; false when there is no hook. A move
   * into the warm pool (a launch into it, or a return at scale in) waits in `Warmed:Pending:Wait` and its event
   * names the pool as destination; a launch out of the pool names it as origin.
   */
  private enterHooks(
    group: AutoScalingGroup,
    member: GroupMember,
    transition: LifecycleTransition,
    move?: PoolMove,
  ): boolean {
    const hooks = [...group.hooks.values()].filter((h) => h.LifecycleTransition === transition);
    if (hooks.length === 0) return false;
    member.lifecycleState =
      move === "into-pool"
        ? LifecycleState.WarmedPendingWait
        : transition === LAUNCHING
          ? LifecycleState.PendingWait
          : LifecycleState.TerminatingWait;
    const origin = move === "from-pool" ? "WarmPool" : transition === LAUNCHING ? "EC2" : "AutoScalingGroup";
    const destination =
      move === "into-pool" ? "WarmPool" : transition === LAUNCHING ? "AutoScalingGroup" : "EC2";
    const now = this.world.clock.now();
    for (const hook of hooks) {
      const action: LifecycleAction = {
        token: this.world.uuid("lifecycle-token"),
        hook,
        instanceId: member.instanceId,
        startedAt: now,
        deadline: now + hook.HeartbeatTimeout * 1000,
        globalDeadline: now + hook.GlobalTimeout * 1000,
        cancel: () => {},
      };
      this.actions.set(action.token, action);
      this.arm(action);
      this.world.publish({
        source: "aws.autoscaling",
        "detail-type":
          transition === LAUNCHING
            ? "EC2 Instance-launch Lifecycle Action"
            : "EC2 Instance-terminate Lifecycle Action",
        resources: [group.arn],
        detail: {
          LifecycleActionToken: action.token,
          AutoScalingGroupName: group.name,
          LifecycleHookName: hook.LifecycleHookName,
          EC2InstanceId: member.instanceId,
          LifecycleTransition: transition,
          ...(hook.NotificationMetadata !== undefined
            ? { NotificationMetadata: hook.NotificationMetadata }
            : {}),
          Origin: origin,
          Destination: destination,
        },
      });
    }
    return true;
  }

  /** At the deadline the hook's DefaultResult applies, exactly as if it had been sent. */
  private arm(action: LifecycleAction): void {
    action.cancel = this.world.clock.schedule(action.deadline - this.world.clock.now(), () => {
      if (this.actions.get(action.token) === action) this.complete(action, action.hook.DefaultResult);
    });
  }

  private dropAction(action: LifecycleAction): void {
    action.cancel();
    this.actions.delete(action.token);
  }

  private proceed(group: AutoScalingGroup, member: GroupMember): void {
    if (
      member.lifecycleState === LifecycleState.Pending ||
      member.lifecycleState === LifecycleState.PendingWait
    ) {
      member.lifecycleState = LifecycleState.PendingProceed;
      this.world.clock.schedule(1_000, () => {
        if (member.lifecycleState !== LifecycleState.PendingProceed) return;
        member.lifecycleState = LifecycleState.InService;
        member.inServiceAt = this.world.clock.now();
      });
      return;
    }
    member.lifecycleState = LifecycleState.TerminatingProceed;
    this.world.terminateInstance(member.instanceId);
    this.world.clock.schedule(this.world.timings.terminatedAfterMs, () => {
      member.lifecycleState = LifecycleState.Terminated;
      group.members.delete(member.instanceId);
    });
  }

  /**
   * AWS's default termination policy, simplified: the Availability Zone with the most instances, then
   * instances not yet in service, then the oldest launch.
   */
  private scaleInVictim(staying: GroupMember[]): GroupMember | undefined {
    const az = (m: GroupMember) => this.world.instances.get(m.instanceId)?.availabilityZone ?? "";
    const perAz = new Map<string, number>();
    for (const m of staying) perAz.set(az(m), (perAz.get(az(m)) ?? 0) + 1);
    const launched = (m: GroupMember) => this.world.instances.get(m.instanceId)?.launchTime ?? 0;
    return [...staying].sort(
      (a, b) =>
        (perAz.get(az(b)) ?? 0) - (perAz.get(az(a)) ?? 0) ||
        Number(a.lifecycleState === LifecycleState.InService) -
          Number(b.lifecycleState === LifecycleState.InService) ||
        launched(a) - launched(b),
    )[0];
  }
}
