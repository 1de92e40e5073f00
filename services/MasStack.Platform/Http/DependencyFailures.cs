using Npgsql;
using StackExchange.Redis;

namespace MasStack.Platform.Http;

public static class DependencyFailures
{
    /// <summary>
    /// Whether an exception from calling another service means it is not answering (refused, timed out, circuit open)
    /// rather than that our own request was cancelled: the caller then throws DependencyUnavailableException (503).
    /// </summary>
    public static bool IsUnavailable(Exception e, CancellationToken cancellationToken) =>
        e is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException
        && !cancellationToken.IsCancellationRequested;

    /// <summary>
    /// Whether Redis did not serve a command: no connection, a timeout (a <see cref="RedisTimeoutException"/> is not a
    /// <see cref="RedisException"/>), or a server that is still loading. Every use of Redis treats these alike: a cache
    /// falls back to PostgreSQL, state that only Redis holds answers 503, and an action after commit is retried.
    /// </summary>
    public static bool IsRedisUnavailable(Exception e) =>
        e is RedisConnectionException or RedisTimeoutException
        || e is RedisServerException server && (server.Message.StartsWith("LOADING", StringComparison.Ordinal) || server.Message.StartsWith("BUSY", StringComparison.Ordinal));

    /// <summary>
    /// Whether PostgreSQL could not serve a command for a reason that passes (the server restarting or unreachable, a
    /// pooled connection it broke, a database an operator closed to connections): a read may be retried once on a fresh
    /// connection, else the answer is 503.
    /// </summary>
    public static bool IsDatabaseUnavailable(Exception e) => e switch
    {
        PostgresException p => p.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown
            or PostgresErrorCodes.CannotConnectNow or PostgresErrorCodes.TooManyConnections || p.SqlState.StartsWith("08", StringComparison.Ordinal)
            // "database … is not currently accepting connections" (ALLOW_CONNECTIONS false): fatal to the session, unlike
            // the statement errors that share its code.
            || p is { SqlState: PostgresErrorCodes.ObjectNotInPrerequisiteState, InvariantSeverity: "FATAL" },
        NpgsqlException n => n.IsTransient,
        _ => false,
    };
}
