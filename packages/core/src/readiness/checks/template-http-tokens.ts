import type { LaunchTemplateEvidence } from "../evidence.js";
import { isUnavailable } from "../evidence.js";

/** The HttpTokens an instance launched from the template gets and what decided it, or why that is unknown. */
export type TemplateHttpTokens =
  | { readonly value: string; readonly decidedBy: string }
  | { readonly unknown: string };

/**
 * The HttpTokens the launch template gives its instances, by AWS's order of precedence for instance metadata
 * options (EC2 User Guide): the launch template's own value, else the account's default in the region
 * (GetInstanceMetadataDefaults), else the AMI (`ImdsSupport` `v2.0` means required), else `optional`. The
 * account's default comes before the AMI: an account default of `optional` launches an AMI with `v2.0` as
 * `optional`.
 */
export function templateHttpTokens(template: LaunchTemplateEvidence): TemplateHttpTokens {
  if (template.httpTokens) return { value: template.httpTokens, decidedBy: "the launch template" };
  const account = template.accountHttpTokens;
  if (account === undefined) return { unknown: "the account's instance metadata defaults were not read" };
  if (isUnavailable(account))
    return { unknown: `the account's instance metadata defaults could not be read (${account.unavailable})` };
  if (account !== null)
    return { value: account, decidedBy: "the account's instance metadata default in the region" };
  const image = template.imageImdsSupport;
  const ami = `AMI ${template.imageId ?? "(none)"}`;
  if (image === undefined) return { unknown: `the ImdsSupport of ${ami} was not read` };
  if (isUnavailable(image))
    return { unknown: `the ImdsSupport of ${ami} could not be read (${image.unavailable})` };
  if (image === "v2.0") return { value: "required", decidedBy: `${ami} (ImdsSupport v2.0)` };
  return {
    value: "optional",
    decidedBy: `nothing: the account has no instance metadata default and ${ami} has no ImdsSupport v2.0`,
  };
}
