import type { LaunchTemplateEvidence } from "../evidence.js";
import { isUnavailable } from "../evidence.js";

/** The HttpTokens an instance launched from the template gets and what decided it, or why that is unknown. */
export type TemplateHttpTokens =
  | { readonly value: string; readonly decidedBy: string }
  | { readonly unknown: string };

/** EC2's prefix for a launch template image that names an SSM parameter holding the AMI id. */
const RESOLVE_SSM = "resolve:ssm:";

/**
 * The HttpTokens the launch template gives its instances, by AWS's order of precedence for instance metadata
 * options (EC2 User Guide): the launch template's own value, else the account's default in the region
 * (GetInstanceMetadataDefaults), else the AMI (`ImdsSupport` `v2.0` means required), else `optional`. The
 * account's default comes before the AMI: an account default of `optional` launches an AMI with `v2.0` as
 * `optional`. A `resolve:ssm:` image is the AMI its parameter holds, as EC2 resolves it at launch.
 */
export function templateHttpTokens(template: LaunchTemplateEvidence): TemplateHttpTokens {
  if (template.httpTokens) return { value: template.httpTokens, decidedBy: "the launch template" };
  const account = template.accountHttpTokens;
  if (account === undefined) return { unknown: "the account's instance metadata defaults were not read" };
  if (isUnavailable(account))
    return { unknown: `the account's instance metadata defaults could not be read (${account.unavailable})` };
  if (account !== null)
    return { value: account, decidedBy: "the account's instance metadata default in the region" };
  const ami = amiOf(template);
  if ("unknown" in ami) return ami;
  const image = template.imageImdsSupport;
  if (image === undefined) return { unknown: `the ImdsSupport of ${ami.label} was not read` };
  if (isUnavailable(image))
    return { unknown: `the ImdsSupport of ${ami.label} could not be read (${image.unavailable})` };
  if (image === "v2.0") return { value: "required", decidedBy: `${ami.label} (ImdsSupport v2.0)` };
  return {
    value: "optional",
    decidedBy: `nothing: the account has no instance metadata default and ${ami.label} has no ImdsSupport v2.0`,
  };
}

/**
 * Whether the account enforces IMDSv2 at launch in the region (GetInstanceMetadataDefaults `AccountLevel`
 * `HttpTokensEnforced` `enabled`): EC2 then refuses to launch an instance whose HttpTokens does not resolve to
 * `required` (EC2 User Guide, "Enforce IMDSv2 at the account level"), so no instance launches with IMDSv1.
 * `false` when the setting was not read or could not be read.
 */
export function accountEnforcesImdsv2(template: LaunchTemplateEvidence): boolean {
  return template.accountHttpTokensEnforced === true;
}

/** How a check names the template's AMI, or why the AMI a `resolve:ssm:` image stands for is unknown. */
function amiOf(template: LaunchTemplateEvidence): { readonly label: string } | { readonly unknown: string } {
  const image = template.imageId ?? "(none)";
  if (!image.startsWith(RESOLVE_SSM)) return { label: `AMI ${image}` };
  const resolved = template.resolvedImageId;
  if (resolved === undefined) return { unknown: `the template's image ${image} was not resolved` };
  if (isUnavailable(resolved))
    return { unknown: `the template's image ${image} could not be resolved (${resolved.unavailable})` };
  return { label: `AMI ${resolved} (${image})` };
}
