/** A mistake in the command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** A problem with the user's input or environment, printed as one line without a stack trace. */
export class UserFacingError extends Error {
  override readonly name = "UserFacingError";
}
