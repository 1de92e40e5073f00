using System.Text.Json;
using MasStack.Platform.Calendar;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Consumption.Features.Rating;

public static class UsageApi
{
    /// <summary>A usage batch may be up to 8 MiB (conventions.md), where other bodies stop at 1 MiB.</summary>
    public const long MaxBatchBytes = 8 * 1024 * 1024;

    private const int Attempts = 3;

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/usage-records", Post).WithTags("Usage feed").Accepts<UsageBatchBody>("application/json").ProducesValidationProblem();
        return app;
    }

    /// <summary>
    /// The network's usage feed: a batch <c>{"records": [...]}</c>, each record rated once by its <c>recordId</c> however often
    /// it is sent. 200 with the counts and the reason of each rejected record; 400 only for a body that is no batch at all.
    /// </summary>
    private static async Task<Results<Ok<BatchResult>, ValidationProblem>> Post(
        HttpContext http, UnitOfWork db, CatalogueClient catalogues, BusinessCalendar calendar, CancellationToken ct)
    {
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxBatchBytes;
        JsonDocument body;
        try { body = await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct); }
        catch (JsonException) { return ValidationErrors.For("records", "A JSON body {\"records\": [...]} is required."); }
        using (body)
        {
            if (UsageFeed.Read(body) is not var (records, rejections))
                return ValidationErrors.For("records", "A JSON body {\"records\": [...]} is required.");

            var catalogue = await catalogues.GetAsync(ct); // before the transaction: no transaction waits on the network
            for (var attempt = 1; ; attempt++)
            {
                var result = await UsageBatches.TryRateAsync(db, catalogue, records, rejections, calendar.GetUtcNow());
                if (result is not null)
                {
                    await db.CommitAsync(ct);
                    return TypedResults.Ok(result);
                }
                await db.DisposeAsync(); // a record id taken by a concurrent batch for another line: rate the batch again
                if (attempt == Attempts) throw new InvalidOperationException("A usage batch kept racing another batch over the same record ids.");
            }
        }
    }
}
