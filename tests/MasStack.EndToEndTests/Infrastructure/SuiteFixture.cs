using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace MasStack.EndToEndTests.Infrastructure;

/// <summary>
/// Boots the real AppHost once for all end-to-end tests: PostgreSQL, Redis and RabbitMQ (local processes where
/// no container runtime exists, in a fresh data folder per run), the seven services and the gateway, on random
/// ports so a running suite does not get in the way. Tests talk to the gateway as a client would.
/// </summary>
public sealed class SuiteFixture : IAsyncLifetime
{
    // Generous: sixteen processes start on two cores, which other work may share.
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(8);

    /// <summary>Every service runs as two instances, as in production: what one instance does, the other must not undo or repeat.</summary>
    public const int Replicas = 2;
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), $"masstack-test-{Guid.NewGuid():N}");

    /// <summary>Each service's business calendar file (<c>{service}.json</c>), which <see cref="MoveCalendarAsync"/> writes.</summary>
    private readonly string _calendarDir = Directory.CreateTempSubdirectory("masstack-calendar-").FullName;

    /// <summary>
    /// Delayed redeliveries under test: 68 s in all (production: 15 min 40 s), longer than the outages the tests
    /// cause, short enough that a test can wait for a message to be parked.
    /// </summary>
    public static readonly TimeSpan[] RedeliveryDelays = [TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30)];

    /// <summary>Attempts at a work order the network does not answer (production: 12, over about four minutes).</summary>
    public const int WorkOrderAttempts = 6;

    /// <summary>How long a terminated line's number rests before it is sold again (production: 180 days).</summary>
    public static readonly TimeSpan NumberQuarantine = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The client <see cref="Gateway"/> and <see cref="CreateGatewayClient"/> call as unless told otherwise: a test-only
    /// client holding every scope, so that a test of a business flow need not care which real client would make it.
    /// Tests of who may do what name a real client (<c>till</c>, <c>care</c>, <c>partner</c>, <c>network</c>, <c>operator</c>, …).
    /// </summary>
    public const string DefaultClient = "e2e";

    /// <summary>Every scope of the gateway's route groups.</summary>
    public const string AllScopes = "sales customers accounts subscriptions billing operations barrings consumption usage-feed events operator sim-swap:retrieve-date sim-swap:check";

    /// <summary>A test-only client with a small rate limit: a burst of <see cref="BurstLimit"/> passes, then 429 until the bucket refills.</summary>
    public const string BurstClient = "burst";
    public const int BurstLimit = 5;
    public static readonly TimeSpan BurstRefill = TimeSpan.FromSeconds(2);

    /// <summary>Every client's secret for this run: random, given to the AppHost as its parameters and test clients.</summary>
    private readonly Dictionary<string, string> _secrets =
        ResourceNames.ApiClients.Append(DefaultClient).Append(BurstClient).ToDictionary(client => client, _ => Convert.ToHexString(RandomNumberGenerator.GetBytes(24)));

    private readonly ConcurrentDictionary<string, AccessTokens> _tokens = new();

    private IEnumerable<string> ClientArguments =>
        ResourceNames.ApiClients.Select(client => $"--Parameters:{client}-client-secret={_secrets[client]}")
            .Append($"--MasStack:Clients:{DefaultClient}:Scopes={AllScopes}")
            .Append($"--MasStack:Clients:{DefaultClient}:Secret={_secrets[DefaultClient]}")
            .Append($"--MasStack:Clients:{BurstClient}:Scopes=sales")
            .Append($"--MasStack:Clients:{BurstClient}:Secret={_secrets[BurstClient]}")
            .Append($"--MasStack:Clients:{BurstClient}:RateLimit:TokenLimit={BurstLimit}")
            .Append($"--MasStack:Clients:{BurstClient}:RateLimit:TokensPerPeriod={BurstLimit}")
            .Append($"--MasStack:Clients:{BurstClient}:RateLimit:ReplenishmentPeriod={BurstRefill:c}");

    /// <summary>The secret of <paramref name="client"/> in this run.</summary>
    public string SecretOf(string client) => _secrets[client];

    private static IEnumerable<string> ServiceArguments =>
        RedeliveryDelays.Select((delay, i) => $"--Messaging:Redelivery:Delays:{i}={delay:c}")
            .Append($"--WorkOrders:MaxAttempts={WorkOrderAttempts}")
            .Append($"--Signup:NumberQuarantine={NumberQuarantine:c}")
            .Append($"--Migrations:Timeout={MigrationTimeout:c}")
            .Append("--Faults:Migrations=true");

    /// <summary>How long a migration waits for a step's answer (production: five minutes).</summary>
    public static readonly TimeSpan MigrationTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Moves <paramref name="service"/>'s business calendar to <paramref name="offset"/> ahead of the system clock (every
    /// instance; zero puts it back). The service reloads the file within a moment: wait for the behaviour that depends on it.
    /// </summary>
    public async Task MoveCalendarAsync(string service, TimeSpan offset)
    {
        var file = Path.Combine(_calendarDir, $"{service}.json");
        var written = file + ".tmp";
        await File.WriteAllTextAsync(written, $$"""{ "Calendar": { "Offset": "{{offset:c}}" } }""");
        File.Move(written, file, overwrite: true);
    }

    public DistributedApplication App { get; private set; } = null!;

    public HttpClient Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.MasStack_AppHost>(
            [$"--MasStack:DataDir={_dataDir}", $"--Calendar:Directory={_calendarDir}", "--DcpPublisher:RandomizePorts=true", "--MasStack:HubTestReceiver=true", $"--{ResourceNames.ReplicasKey}={Replicas}",  .. ServiceArguments, .. ClientArguments]);
        // No dashboard runs under test: exporting telemetry would only time out, and hold up every shutdown by the exporter's timeout.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
            builder.CreateResourceBuilder(project).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        App = await builder.BuildAsync();

        using var startup = new CancellationTokenSource(StartupTimeout);
        await App.StartAsync(startup.Token);
        foreach (var resource in ResourceNames.ServicesWithDatabases.SelectMany(InstancesOf).Append(ResourceNames.Gateway))
            await WaitForHealthyAsync(resource, startup.Token);
        Gateway = CreateGatewayClient();
    }

    /// <summary>
    /// Waits for <paramref name="resource"/> to be healthy; if it failed to start, the failure carries the end of its log
    /// (watched for a few seconds: the orchestrator streams a log only to a watcher, from its start).
    /// </summary>
    private async Task WaitForHealthyAsync(string resource, CancellationToken cancellationToken)
    {
        try
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        }
        catch (DistributedApplicationException e)
        {
            var log = new List<string>();
            using var collecting = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await foreach (var batch in App.Services.GetRequiredService<ResourceLoggerService>().WatchAsync(resource).WithCancellation(collecting.Token))
                    log.AddRange(batch.Select(line => line.Content));
            }
            catch (OperationCanceledException) { /* what was read so far */ }
            throw new DistributedApplicationException($"{e.Message} Its log ends:\n{string.Join("\n", log.TakeLast(80))}", e);
        }
    }

    /// <summary>
    /// The one place a client of the public API is made: it calls the gateway as <paramref name="client"/>, with a bearer
    /// token from <c>POST /connect/token</c> (client credentials), fetched once per client and renewed before it expires.
    /// </summary>
    public HttpClient CreateGatewayClient(string client = DefaultClient) =>
        new(new BearerToken(this, client) { InnerHandler = new SocketsHttpHandler() })
        {
            BaseAddress = GatewayAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>A client of the gateway with no credentials at all.</summary>
    public HttpClient CreateAnonymousGatewayClient() => new() { BaseAddress = GatewayAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Uri GatewayAddress => App.GetEndpoint(ResourceNames.Gateway, "http");

    /// <summary>A valid access token of <paramref name="client"/> (cached until a minute before it expires).</summary>
    public Task<string> AccessTokenAsync(string client, CancellationToken cancellationToken = default) =>
        _tokens.GetOrAdd(client, name => new AccessTokens(this, name)).GetAsync(cancellationToken);

    /// <summary>Asks the token endpoint, as a client library would: client id and secret in the form, every scope the client may hold.</summary>
    public async Task<HttpResponseMessage> RequestTokenAsync(string client, string secret, string? scope = null, CancellationToken cancellationToken = default)
    {
        using var anonymous = CreateAnonymousGatewayClient();
        var form = new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = client, ["client_secret"] = secret };
        if (scope is not null) form["scope"] = scope;
        return await anonymous.PostAsync("/connect/token", new FormUrlEncodedContent(form), cancellationToken);
    }

    private sealed class AccessTokens(SuiteFixture suite, string client)
    {
        private readonly SemaphoreSlim _gate = new(1, 1);
        private (string Token, DateTimeOffset RenewAt)? _current;

        public async Task<string> GetAsync(CancellationToken cancellationToken)
        {
            if (_current is { } current && current.RenewAt > DateTimeOffset.UtcNow) return current.Token;
            // Not the caller's token: a client that gives up on its request early must not leave the next one without a token.
            await _gate.WaitAsync(CancellationToken.None);
            try
            {
                if (_current is { } fresh && fresh.RenewAt > DateTimeOffset.UtcNow) return fresh.Token;
                using var response = await suite.RequestTokenAsync(client, suite.SecretOf(client));
                var body = await response.Content.ReadFromJsonAsync<System.Text.Json.Nodes.JsonObject>();
                if (!response.IsSuccessStatusCode || body?["access_token"] is null)
                    throw new InvalidOperationException($"No token for {client}: {(int)response.StatusCode} {body}");
                var lifetime = TimeSpan.FromSeconds((double)body["expires_in"]!);
                _current = ((string)body["access_token"]!, DateTimeOffset.UtcNow + lifetime - TimeSpan.FromMinutes(1));
                return _current.Value.Token;
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>Puts the client's bearer token on every request.</summary>
    private sealed class BearerToken(SuiteFixture suite, string client) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await suite.AccessTokenAsync(client, cancellationToken));
            return await base.SendAsync(request, cancellationToken);
        }
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync(string service)
    {
        var connection = new NpgsqlConnection(await App.GetConnectionStringAsync(ResourceNames.Database(service)));
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>
    /// PostgreSQL refuses <paramref name="services"/>, as while it restarts: no new connection to their databases, and
    /// those open (the services' pooled ones too) are cut. Made inside PostgreSQL because the orchestrator, asked to stop
    /// the server while services use it, reported failure and the server did not exit within a minute.
    /// </summary>
    public async Task SetDatabasesReachableAsync(bool reachable, params string[] services)
    {
        var signupDb = await App.GetConnectionStringAsync(ResourceNames.Database(ResourceNames.Signup));
        await using var server = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(signupDb) { Database = "postgres", Pooling = false }.ConnectionString);
        await server.OpenAsync();
        foreach (var database in services.Select(ResourceNames.Database))
        {
            await using (var alter = new NpgsqlCommand($"ALTER DATABASE \"{database}\" WITH ALLOW_CONNECTIONS {(reachable ? "true" : "false")}", server))
                await alter.ExecuteNonQueryAsync();
            if (reachable) continue;
            await using var cut = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = @database", server);
            cut.Parameters.AddWithValue("database", database);
            await cut.ExecuteScalarAsync();
        }
        // This process's own pooled connections to them were cut too; later tests must not meet them.
        if (reachable) NpgsqlConnection.ClearAllPools();
    }

    public async Task<string> RabbitMqConnectionStringAsync() =>
        await App.GetConnectionStringAsync(ResourceNames.RabbitMq) ?? throw new InvalidOperationException("No RabbitMQ connection string.");

    /// <summary>The resources that run <paramref name="resource"/>: every instance of a service, else the resource itself.</summary>
    public static IEnumerable<string> InstancesOf(string resource) =>
        ResourceNames.ServicesWithDatabases.Contains(resource) ? ResourceNames.Replicas(resource, Replicas) : [resource];

    /// <summary>Stops <paramref name="resource"/> (every instance of a service) and waits until it has exited.</summary>
    public async Task StopResourceAsync(string resource)
    {
        foreach (var instance in InstancesOf(resource)) await StopInstanceAsync(instance);
    }

    public async Task StartResourceAsync(string resource)
    {
        foreach (var instance in InstancesOf(resource)) await StartInstanceAsync(instance);
    }

    private async Task StopInstanceAsync(string resource)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand);
        Assert.True(result.Success, $"Stopping {resource} failed: {result.Message}");
        await App.ResourceNotifications.WaitForResourceAsync(resource, [KnownResourceStates.Exited, KnownResourceStates.Finished]);
    }

    private async Task StartInstanceAsync(string resource)
    {
        var result = await App.ResourceCommands.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        Assert.True(result.Success, $"Starting {resource} failed: {result.Message}");
        using var timeout = new CancellationTokenSource(StartupTimeout);
        await WaitForHealthyAsync(resource, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        Gateway?.Dispose();
        if (App is not null) await App.DisposeAsync();
        try
        {
            Directory.Delete(_calendarDir, recursive: true);
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException) { /* a process may still hold a file; the folder is under the temp directory */ }
    }
}

[CollectionDefinition(Name)]
public sealed class SuiteCollection : ICollectionFixture<SuiteFixture>
{
    public const string Name = "suite";
}
