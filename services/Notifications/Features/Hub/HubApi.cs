using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Notifications.Features.Hub;

public sealed record HubRequest(string? Callback, string? Query, string? Secret);

/// <summary>
/// A registration as its owner sees it: <see cref="State"/> is <c>active</c>, or <c>suspended</c> (deliveries failed for
/// the whole retry schedule) with why and since when. <see cref="Secret"/> only in the answer to the POST that generated it.
/// </summary>
public sealed record HubView(
    Guid Id, string Callback, string Query, string State,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? SuspendedReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? SuspendedAt,
    DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret = null);

public static class HubApi
{
    public static IEndpointRouteBuilder MapHubApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/hub").WithTags("Hub");
        api.MapPost("", Register);
        api.MapGet("/{id:guid}", Get);
        api.MapDelete("/{id:guid}", Delete);
        return app;
    }

    private const string ViewSql =
        """
        SELECT id AS Id, callback AS Callback, query AS Query, state AS State, suspended_reason AS SuspendedReason,
               suspended_at AS SuspendedAt, created_at AS CreatedAt, NULL::text AS Secret
        FROM hub_registrations WHERE id = @id AND owner = @owner
        """;

    /// <summary>422 naming <c>callback</c>, <c>query</c> or <c>secret</c>; 201 with the registration (and a generated secret, once).</summary>
    private static async Task<Results<Created<HubView>, ProblemHttpResult>> Register(
        HubRequest? request, NpgsqlDataSource database, CallbackPolicy policy, HttpContext http, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        if (request is null) errors.Add("callback", "The body must be a JSON object with callback and query.");
        else if (errors.Required("callback", request.Callback) && await policy.RefusalAsync(request.Callback, ct) is { } refusal)
            errors.Add("callback", "The callback " + refusal);
        var query = HubQuery.Parse(request?.Query, errors);
        if (request?.Secret is { } given && WebhookSignature.Key(given) is null)
            errors.Add("secret", "The secret must be whsec_ followed by the base64 of 24 to 64 random bytes.");
        if (!errors.IsEmpty || query is null)
            return TypedResults.Problem(new HttpValidationProblemDetails(errors.ToDictionary()) { Status = StatusCodes.Status422UnprocessableEntity, Title = "The registration is not valid." });

        var secret = request!.Secret ?? WebhookSignature.NewSecret();
        var id = Guid.CreateVersion7();
        var owner = Actor.Of(http.Request).ClientId;
        await using var connection = await database.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(
            """
            INSERT INTO hub_registrations (id, owner, callback, query, event_types, filters, secret)
            VALUES (@id, @owner, @callback, @query, @types, CAST(@filters AS jsonb), @secret)
            """,
            new { id, owner, callback = request.Callback, query = request.Query ?? "", types = string.Join(',', query.EventTypes),
                  filters = JsonSerializer.Serialize(query.Filters), secret });
        var view = await connection.QuerySingleAsync<HubView>(ViewSql, new { id, owner });
        return TypedResults.Created($"/api/v1/hub/{id}", view with { Secret = request.Secret is null ? secret : null });
    }

    private static async Task<Results<Ok<HubView>, NotFound>> Get(Guid id, NpgsqlDataSource database, HttpContext http)
    {
        await using var connection = await database.OpenConnectionAsync();
        var view = await connection.QuerySingleOrDefaultAsync<HubView>(ViewSql, new { id, owner = Actor.Of(http.Request).ClientId });
        return view is null ? TypedResults.NotFound() : TypedResults.Ok(view);
    }

    /// <summary>Ends the registration and drops its undelivered events; another client's registration is not found.</summary>
    private static async Task<Results<NoContent, NotFound>> Delete(Guid id, NpgsqlDataSource database, HttpContext http)
    {
        await using var connection = await database.OpenConnectionAsync();
        var deleted = await connection.ExecuteAsync("DELETE FROM hub_registrations WHERE id = @id AND owner = @owner",
            new { id, owner = Actor.Of(http.Request).ClientId });
        return deleted == 0 ? TypedResults.NotFound() : TypedResults.NoContent();
    }
}
