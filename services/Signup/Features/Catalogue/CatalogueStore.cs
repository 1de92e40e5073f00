using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Messaging;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace MasStack.Signup.Features.Catalogue;

/// <summary>The catalogue as stored in Signup's database; seeded once from the embedded <c>catalogue.json</c>.</summary>
public sealed class CatalogueStore(NpgsqlDataSource database, IMemoryCache cache)
{
    private static readonly string[] Kinds = ["products", "bundles", "services", "bonuses", "promotions"];

    /// <summary>
    /// The catalogue, read again once its last read is as old as the other services keep theirs
    /// (<see cref="CatalogueClient.CacheFor"/>): every sale checks its lines against it, and reading and parsing its
    /// documents each time was a round trip and some 10 KB of JSON a sale. An operator's change to the table is seen
    /// within that time, as the other services see it.
    /// </summary>
    public async Task<Contracts.Catalogue> LoadAsync() =>
        (await cache.GetOrCreateAsync(nameof(CatalogueStore), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CatalogueClient.CacheFor;
            return ReadAsync();
        }))!;

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
