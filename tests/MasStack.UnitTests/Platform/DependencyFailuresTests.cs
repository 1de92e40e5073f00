using MasStack.Platform.Http;
using Npgsql;
using StackExchange.Redis;

namespace MasStack.UnitTests.Platform;

public class DependencyFailuresTests
{
    [Fact]
    public void Redis_that_does_not_answer_in_time_counts_as_unavailable_like_one_that_is_not_connected()
    {
        Assert.True(DependencyFailures.IsRedisUnavailable(new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent)));
        Assert.True(DependencyFailures.IsRedisUnavailable(new RedisConnectionException(ConnectionFailureType.SocketFailure, "No connection")));
        Assert.True(DependencyFailures.IsRedisUnavailable(new RedisServerException("LOADING Redis is loading the dataset in memory")));
    }

    [Fact]
    public void A_Redis_command_error_is_a_bug_not_an_outage()
    {
        Assert.False(DependencyFailures.IsRedisUnavailable(new RedisServerException("ERR Error running script")));
        Assert.False(DependencyFailures.IsRedisUnavailable(new InvalidOperationException()));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.AdminShutdown)]
    [InlineData(PostgresErrorCodes.CannotConnectNow)]
    [InlineData(PostgresErrorCodes.ConnectionFailure)]
    [InlineData(PostgresErrorCodes.ObjectNotInPrerequisiteState)] // the database is not accepting connections
    public void A_database_restarting_is_unavailable(string sqlState) =>
        Assert.True(DependencyFailures.IsDatabaseUnavailable(new PostgresException("down", "FATAL", "FATAL", sqlState)));

    [Theory]
    [InlineData(PostgresErrorCodes.UniqueViolation)]
    [InlineData(PostgresErrorCodes.SyntaxError)]
    [InlineData(PostgresErrorCodes.ObjectNotInPrerequisiteState)] // e.g. currval before nextval: a statement's error, not the session's
    public void A_refused_statement_is_not_an_outage(string sqlState) =>
        Assert.False(DependencyFailures.IsDatabaseUnavailable(new PostgresException("no", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void A_broken_connection_is_unavailable() =>
        Assert.True(DependencyFailures.IsDatabaseUnavailable(new NpgsqlException("Exception while reading from stream", new EndOfStreamException())));
}
