import type { ReferenceFleetSettings } from "@clawops/core/config";
import type { FleetNames } from "@clawops/core/fleet";
import { Duration } from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import type * as iam from "aws-cdk-lib/aws-iam";
import { NagSuppressions } from "cdk-nag";
import { Construct } from "constructs";

/** Props of `FleetCompute`. */
export interface FleetComputeProps {
  readonly settings: ReferenceFleetSettings;
  readonly names: FleetNames;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly role: iam.IRole;
  readonly userData: ec2.UserData;
}

/**
 * The fleet's compute: a launch template (Amazon Linux 2023 for the instance type's architecture, IMDSv2
 * required with hop limit 1 so a container or SSRF cannot reach the credentials, no public IP, encrypted gp3
 * root volume, detailed monitoring) and the Auto Scaling group in the private subnets with launch and terminate
 * lifecycle hooks whose default results are always explicit.
 */
export class FleetCompute extends Construct {
  readonly launchTemplate: ec2.LaunchTemplate;
  readonly autoScalingGroup: autoscaling.AutoScalingGroup;
  readonly launchHook: autoscaling.LifecycleHook;
  readonly terminateHook: autoscaling.LifecycleHook;

  constructor(scope: Construct, id: string, props: FleetComputeProps) {
    super(scope, id);
    const { settings, names } = props;
    const instanceType = new ec2.InstanceType(settings.instanceType);
    const cpuType =
      instanceType.architecture === ec2.InstanceArchitecture.ARM_64
        ? ec2.AmazonLinuxCpuType.ARM_64
        : ec2.AmazonLinuxCpuType.X86_64;

    this.launchTemplate = new ec2.LaunchTemplate(this, "LaunchTemplate", {
      machineImage: ec2.MachineImage.latestAmazonLinux2023({ cpuType }),
      instanceType,
      role: props.role,
      securityGroup: props.securityGroup,
      userData: props.userData,
      requireImdsv2: true,
      httpTokens: ec2.LaunchTemplateHttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      httpEndpoint: true,
      associatePublicIpAddress: false,
      detailedMonitoring: true,
      blockDevices: [
        {
          deviceName: "/dev/xvda",
          volume: ec2.BlockDeviceVolume.ebs(30, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });

    const desired = settings.desiredCapacity;
    this.autoScalingGroup = new autoscaling.AutoScalingGroup(this, "Group", {
      autoScalingGroupName: names.autoScalingGroupName,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      launchTemplate: this.launchTemplate,
      minCapacity: settings.minSize,
      maxCapacity: settings.maxSize,
      desiredCapacity: desired,
      healthChecks: autoscaling.HealthChecks.ec2({
        gracePeriod: Duration.seconds(settings.healthCheckGracePeriodSeconds),
      }),
      // Launch before terminate: CloudFormation adds one instance at a time above the serving capacity, and the
      // launch hook holds it out of service until the launch gate answers CONTINUE.
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: Math.max(0, Math.min(desired, settings.maxSize - 1)),
        pauseTime: Duration.seconds(settings.lifecycleHooks.launchHeartbeatSeconds),
      }),
      terminationPolicies: [autoscaling.TerminationPolicy.OLDEST_LAUNCH_TEMPLATE],
    });

    const hooks = settings.lifecycleHooks;
    this.launchHook = this.hook("LaunchGate", {
      lifecycleHookName: names.launchHookName,
      lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_LAUNCHING,
      heartbeatTimeout: Duration.seconds(hooks.launchHeartbeatSeconds),
      defaultResult: autoscaling.DefaultResult[hooks.launchDefaultResult],
    });
    this.terminateHook = this.hook("TerminateDrain", {
      lifecycleHookName: names.terminateHookName,
      lifecycleTransition: autoscaling.LifecycleTransition.INSTANCE_TERMINATING,
      heartbeatTimeout: Duration.seconds(hooks.terminateHeartbeatSeconds),
      defaultResult: autoscaling.DefaultResult[hooks.terminateDefaultResult],
    });

    NagSuppressions.addResourceSuppressions(this.autoScalingGroup, [
      {
        id: "AwsSolutions-AS3",
        reason:
          "Scaling and lifecycle events reach clawops through EventBridge (aws.autoscaling), which the Lifecycle and Alerts stacks route to Slack; SNS notifications would duplicate them.",
      },
    ]);
  }

  /**
   * Adds a hook with no notification target (EventBridge receives its events) and writes DefaultResult on the
   * L1 as well: AWS's own default is ABANDON, and the L2 only passes the prop through, so it is never left unset.
   */
  private hook(hookId: string, options: autoscaling.BasicLifecycleHookProps): autoscaling.LifecycleHook {
    const hook = this.autoScalingGroup.addLifecycleHook(hookId, options);
    (hook.node.defaultChild as autoscaling.CfnLifecycleHook).defaultResult = options.defaultResult;
    return hook;
  }
}
