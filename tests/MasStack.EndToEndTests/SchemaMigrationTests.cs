using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Dapper;
using MasStack.EndToEndTests.Infrastructure;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace MasStack.EndToEndTests;

/// <summary>The schema migrator against the suite's real PostgreSQL, on a scratch database of its own.</summary>
[Collection(SuiteCollection.Name)]
public class SchemaMigrationTests(SuiteFixture suite)
{
    private static readonly SchemaScript First = new("test/400_first.sql", "CREATE TABLE first_table (id int);\n");
    private static readonly SchemaScript Second = new("test/401_second.sql", "CREATE TABLE second_table (id int);\n");

    [Fact]
    public async Task An_applied_script_that_was_edited_stops_the_start_with_a_message_naming_it()
    {
        await using var scratch = await ScratchDatabaseAsync();
        var database = scratch.Connection;
        await SchemaMigrator.MigrateAsync(database, [First], NullLogger.Instance, CancellationToken.None);

        // When the applied script is edited, and a new one added
        var edited = First with { Sql = "CREATE TABLE first_table (id bigint);\n" };
        var failure = await Assert.ThrowsAsync<SchemaScriptChangedException>(
            () => SchemaMigrator.MigrateAsync(database, [edited, Second], NullLogger.Instance, CancellationToken.None));

        // Then the migration stops, naming the script and saying what to do, before applying anything
        Assert.Contains("test/400_first.sql", failure.Message);
        Assert.Contains("new script", failure.Message);
        Assert.False(await database.ExecuteScalarAsync<bool>("SELECT to_regclass('second_table') IS NOT NULL"));

        // And the same script checked out with other line endings is not an edit
        await SchemaMigrator.MigrateAsync(database, [First with { Sql = First.Sql.Replace("\n", "\r\n") }, Second], NullLogger.Instance, CancellationToken.None);
        Assert.True(await database.ExecuteScalarAsync<bool>("SELECT to_regclass('second_table') IS NOT NULL"));
    }

    [Fact]
    public async Task A_database_migrated_before_checksums_records_them_at_its_first_start_and_checks_them_after()
    {
        // Given a database whose scripts were applied by a migrator that kept no checksums
        await using var scratch = await ScratchDatabaseAsync();
        var database = scratch.Connection;
        await database.ExecuteAsync(
            """
            CREATE TABLE schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE first_table (id int);
            INSERT INTO schema_migrations (id) VALUES ('test/400_first.sql');
            """);

        // When it starts with checksums, the applied script is recorded (not applied again) and the new one applied
        await SchemaMigrator.MigrateAsync(database, [First, Second], NullLogger.Instance, CancellationToken.None);
        Assert.Equal(First.Checksum, await database.ExecuteScalarAsync<string>("SELECT checksum FROM schema_migrations WHERE id = @Id", First));
        Assert.Equal(Second.Checksum, await database.ExecuteScalarAsync<string>("SELECT checksum FROM schema_migrations WHERE id = @Id", Second));

        // Then an edit made after that is caught
        await Assert.ThrowsAsync<SchemaScriptChangedException>(() => SchemaMigrator.MigrateAsync(
            database, [First with { Sql = "CREATE TABLE first_table (id text);\n" }, Second], NullLogger.Instance, CancellationToken.None));
    }

    /// <summary>A fresh database on the suite's PostgreSQL, dropped when the connection is disposed.</summary>
    private async Task<ScratchDatabase> ScratchDatabaseAsync()
    {
        var name = $"schema_test_{Guid.NewGuid():N}";
        await using (var admin = await suite.OpenDatabaseAsync(ResourceNames.Signup))
            await admin.ExecuteAsync($"CREATE DATABASE {name}");
        var connectionString = new NpgsqlConnectionStringBuilder(await suite.App.GetConnectionStringAsync(ResourceNames.Database(ResourceNames.Signup)))
        {
            Database = name,
            Pooling = false,
        };
        var connection = new NpgsqlConnection(connectionString.ConnectionString);
        await connection.OpenAsync();
        return new ScratchDatabase(connection, suite, name);
    }

    private sealed class ScratchDatabase(NpgsqlConnection connection, SuiteFixture suite, string name) : IAsyncDisposable
    {
        public NpgsqlConnection Connection { get; } = connection;

        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await using var admin = await suite.OpenDatabaseAsync(ResourceNames.Signup);
            await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }
}
