using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MasStack.Platform.Data;

/// <summary>
/// Creates the service's database if it is missing and applies the SQL scripts embedded under
/// <c>Data/Schema/</c> (the platform's first, then the service's) in name order, each once, under an
/// advisory lock so that two instances starting together do not race. It runs as a hosted service,
/// so the web server only listens — and <c>/health</c> only answers — once the schema is current.
/// Each applied script's checksum is kept: a script edited after it was applied stops the start
/// (<see cref="SchemaScriptChangedException"/>) rather than being silently skipped.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ServiceIdentity service, ILogger<SchemaMigrator> logger)
    : IHostedService
{
    private const long LockKey = 0x4D61_7353_7461_636B; // "MasStack"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("schema migration"); // one trace in the dashboard, not one per statement
        await EnsureDatabaseExistsAsync(dataSource.ConnectionString, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await MigrateAsync(connection, Scripts(typeof(SchemaMigrator).Assembly, "platform").Concat(Scripts(service.Assembly, service.Name)), logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// For a service that does not stand on the whole platform (no outbox, inbox or idempotency keys: Identity): creates
    /// its database if missing and applies only <paramref name="assembly"/>'s scripts, the same way and under the same lock.
    /// </summary>
    public static async Task MigrateOwnScriptsAsync(NpgsqlDataSource dataSource, Assembly assembly, string prefix, ILogger logger, CancellationToken cancellationToken)
    {
        await EnsureDatabaseExistsAsync(dataSource.ConnectionString, cancellationToken);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await MigrateAsync(connection, Scripts(assembly, prefix), logger, cancellationToken);
    }

    /// <summary>
    /// Checks every script already applied against its recorded checksum (recording it where a database older than
    /// checksums has none), then applies the new ones, each in its own transaction with its checksum.
    /// </summary>
    public static async Task MigrateAsync(NpgsqlConnection connection, IEnumerable<SchemaScript> scripts, ILogger logger, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@LockKey)", new { LockKey });
        try
        {
            await connection.ExecuteAsync(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
                ALTER TABLE schema_migrations ADD COLUMN IF NOT EXISTS checksum text;
                """);
            var applied = (await connection.QueryAsync<(string Id, string? Checksum)>("SELECT id, checksum FROM schema_migrations"))
                .ToDictionary(row => row.Id, row => row.Checksum);
            var pending = new List<SchemaScript>();
            foreach (var script in scripts)
            {
                if (!applied.TryGetValue(script.Id, out var checksum)) pending.Add(script);
                else if (checksum is null)
                    await connection.ExecuteAsync("UPDATE schema_migrations SET checksum = @Checksum WHERE id = @Id", new { script.Checksum, script.Id });
                else if (checksum != script.Checksum)
                    throw new SchemaScriptChangedException(script.Id, connection.Database, checksum, script.Checksum);
            }

            foreach (var script in pending)
            {
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(script.Sql, transaction: tx);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (id, checksum) VALUES (@Id, @Checksum)", new { script.Id, script.Checksum }, tx);
                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Applied schema script {Script}", script.Id);
            }
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    private static IEnumerable<SchemaScript> Scripts(Assembly assembly, string prefix) =>
        assembly.GetManifestResourceNames()
            .Where(name => name.Contains(".Data.Schema.") && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                var file = name[(name.IndexOf(".Data.Schema.", StringComparison.Ordinal) + ".Data.Schema.".Length)..];
                return new SchemaScript($"{prefix}/{file}", reader.ReadToEnd());
            });

    /// <summary>On a bare server (the local, container-less suite) nobody else creates the service's database.</summary>
    private static async Task EnsureDatabaseExistsAsync(string connectionString, CancellationToken ct)
    {
        var target = new NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database ?? throw new InvalidOperationException("The connection string names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);
        var exists = await connection.ExecuteScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @database)", new { database });
        if (exists) return;
        try
        {
            await connection.ExecuteAsync($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"");
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
        {
            // Another instance created it first (one that commits while this one is creating it fails on the catalogue's
            // unique index, not with duplicate_database).
        }
    }
}

/// <summary>One schema script; its checksum ignores line endings, so a checkout with CRLF does not count as an edit.</summary>
public sealed record SchemaScript(string Id, string Sql)
{
    public string Checksum => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));
}

public sealed class SchemaScriptChangedException(string script, string database, string appliedChecksum, string currentChecksum)
    : Exception(
        $"Schema script {script} was edited after it was applied to database {database} (checksum when applied {appliedChecksum}, now " +
        $"{currentChecksum}). An applied script is never changed: restore it and put the change in a new script.");
