using MasStack.Contracts;
using MasStack.Account.Features.Accounts;
using MasStack.Platform.Catalogue;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Account.Features.Terms;

public static class TermsApi
{
    private static readonly TimeZoneInfo Spain = TimeZoneInfo.FindSystemTimeZoneById("Europe/Madrid");

    public static IEndpointRouteBuilder MapTermsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Accounts").MapGet("/accounts/{accountId:long}/terms", Get);
        return app;
    }

    /// <summary>
    /// The account's contract terms as accepted (frozen at the sale or the migration that opened it). An account opened
    /// before terms were kept reads them from its bundle's catalogue entry; 503 when the catalogue (Signup) does not answer.
    /// </summary>
    private static async Task<Results<Ok<TermsView>, NotFound, ProblemHttpResult>> Get(
        long accountId, NpgsqlDataSource database, CatalogueClient catalogue, TimeProvider clock, CancellationToken ct)
    {
        if (await AccountStore.GetAsync(database, accountId) is not { } account) return TypedResults.NotFound();
        var accepted = account.Accepted;
        if (accepted is null && (await catalogue.GetAsync(ct)).Bundle(account.BundleCode) is { } bundle) accepted = AcceptedTerms.Of(bundle);
        if (accepted is null)
            return TypedResults.Problem(title: "Bundle not in the catalogue",
                detail: $"The account's bundle {account.BundleCode} is no longer in the catalogue.", statusCode: StatusCodes.Status409Conflict);
        return TypedResults.Ok(ContractTerms.Compute(accountId, accepted, LocalDate(account.TermsAcceptedAt ?? account.OpenedAt), LocalDate(clock.GetUtcNow())));
    }

    /// <summary>Contracts run on Spanish calendar days: a sale at 00:30 in Madrid starts that day, not the UTC day before.</summary>
    private static DateOnly LocalDate(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Spain).DateTime);
}
