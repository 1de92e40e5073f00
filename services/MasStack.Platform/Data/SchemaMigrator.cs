using System.Reflection;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace MasStack.Platform.Data;

/// <summary>
/// Creates the service's database if it is missing and applies the SQL scripts embedded under
/// <c>Data/Schema/</c> (the platform's first, then the service's) in name order, each once, under an
/// advisory lock so that two instances starting together do not race. It runs as a hosted service,
/// so the web server only listens — and <c>/health</c> only answers — once the schema is current.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ServiceIdentity service, ILogger<SchemaMigrator> logger)
    : IHostedService
{
    private const long LockKey = 0x4D61_7353_7461_636B; // "MasStack"

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureDatabaseExistsAsync(dataSource.ConnectionString, cancellationToken);

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SELECT pg_advisory_lock(@LockKey)", new { LockKey });
        try
        {
            await connection.ExecuteAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
            var applied = (await connection.QueryAsync<string>("SELECT id FROM schema_migrations")).ToHashSet();

            foreach (var (id, sql) in Scripts(typeof(SchemaMigrator).Assembly, "platform").Concat(Scripts(service.Assembly, service.Name)))
            {
                if (applied.Contains(id)) continue;
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await connection.ExecuteAsync(sql, transaction: tx);
                await connection.ExecuteAsync("INSERT INTO schema_migrations (id) VALUES (@id)", new { id }, tx);
                await tx.CommitAsync(cancellationToken);
                logger.LogInformation("Applied schema script {Script}", id);
            }
        }
        finally
        {
            await connection.ExecuteAsync("SELECT pg_advisory_unlock(@LockKey)", new { LockKey });
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static IEnumerable<(string Id, string Sql)> Scripts(Assembly assembly, string prefix) =>
        assembly.GetManifestResourceNames()
            .Where(name => name.Contains(".Data.Schema.") && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
                var file = name[(name.IndexOf(".Data.Schema.", StringComparison.Ordinal) + ".Data.Schema.".Length)..];
                return ($"{prefix}/{file}", reader.ReadToEnd());
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
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance created it first.
        }
    }
}
