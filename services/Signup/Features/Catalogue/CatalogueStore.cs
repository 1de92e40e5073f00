using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;
using Npgsql;

namespace MasStack.Signup.Features.Catalogue;

/// <summary>The catalogue as stored in Signup's database; seeded once from the embedded <c>catalogue.json</c>.</summary>
public sealed class CatalogueStore(NpgsqlDataSource database)
{
    private static readonly string[] Kinds = ["products", "bundles", "services", "bonuses", "promotions"];

    /// <summary>As long as a catalogue read is used: the same minute every other service's <c>CatalogueClient</c> keeps it.</summary>
    private static readonly TimeSpan FreshFor = TimeSpan.FromMinutes(1);

    private volatile Loaded? _loaded;

    /// <summary>
    /// The catalogue, read again once its last read is a minute old: every sale checks its lines against it, and reading
    /// and parsing its documents each time was a round trip and some 10 KB of JSON a sale. An operator's change to the
    /// table is seen within that minute, as the other services see it.
    /// </summary>
    public async Task<Contracts.Catalogue> LoadAsync()
    {
        if (_loaded is { } loaded && Environment.TickCount64 < loaded.Until) return loaded.Catalogue;
        var catalogue = await ReadAsync();
        _loaded = new Loaded(catalogue, Environment.TickCount64 + (long)FreshFor.TotalMilliseconds);
        return catalogue;
    }

    private async Task<Contracts.Catalogue> ReadAsync()
    {
        await using var connection = await database.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Kind, string Document)>(
            "SELECT kind, document::text FROM catalogue_items ORDER BY kind, code");
        var root = new JsonObject();
        foreach (var kind in Kinds) root[kind] = new JsonArray();
        foreach (var (kind, document) in rows) root[kind]!.AsArray().Add(JsonNode.Parse(document));
        return root.Deserialize<Contracts.Catalogue>(OutboxMessage.JsonOptions)!;
    }

    private sealed record Loaded(Contracts.Catalogue Catalogue, long Until);

    /// <summary>First start only: an operator's later changes to the catalogue are never overwritten.</summary>
    public async Task SeedAsync()
    {
        await using var stream = typeof(CatalogueStore).Assembly.GetManifestResourceStream(
            "MasStack.Signup.Features.Catalogue.catalogue.json")!;
        var seed = (await JsonNode.ParseAsync(stream))!.AsObject();
        await using var connection = await database.OpenConnectionAsync();
        foreach (var kind in Kinds)
        foreach (var item in seed[kind]!.AsArray())
            await connection.ExecuteAsync(
                "INSERT INTO catalogue_items (kind, code, document) VALUES (@kind, @code, @document::jsonb) ON CONFLICT DO NOTHING",
                new { kind, code = (string)item!["code"]!, document = item.ToJsonString() });
    }
}

public sealed class CatalogueSeeder(CatalogueStore store) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var activity = Telemetry.Source.StartActivity("seed catalogue");
        await store.SeedAsync();
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
