/**
 * A Slack Web API error answer (`{"ok":false,"error":...}` with HTTP 200), raised inside a method and turned
 * into Slack's envelope by the server. `messages` become `response_metadata.messages`, as Slack sends them
 * for `invalid_blocks` and `invalid_arguments`.
 */
export class SlackMethodError extends Error {
  constructor(
    readonly error: string,
    readonly messages: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(messages.length > 0 ? `${error}: ${messages.join("; ")}` : error, options);
    this.name = "SlackMethodError";
  }
}

/** A name or id that is no channel of the local Slack server (a test asked for the wrong channel). */
export class UnknownChannelError extends Error {
  constructor(readonly channel: string) {
    super(`no channel ${channel} on the local Slack server`);
    this.name = "UnknownChannelError";
  }
}
