using System.Text.Json;
using MasStack.Account.Features.Accounts;
using MasStack.Account.Features.Bundles;
using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Account.Features.Migrations;

/// <summary>The bundle to move the account to, and the products its lines take there (any line not named keeps its product, or takes the slot's first).</summary>
public sealed record BundleMigrationRequest(string? BundleCode, IReadOnlyList<LineProductRequest>? Products);

public sealed record LineProductRequest(long? SubscriptionId, string? ProductCode);

public static class BundleMigrationsApi
{
    public static IEndpointRouteBuilder MapBundleMigrationsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/api/v1").WithTags("Accounts")
            .MapPost("/accounts/{accountId:long}/bundle-migrations", Start).Transactional().ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    /// <summary>
    /// Checks the bundle is one the account can move to with its lines' products mapped (409 with every reason when not),
    /// then records the migration, holds the account and its lines, and announces it; the account takes the bundle and the
    /// terms accepted now when every line has its product (Subscription's step). Billing prorates each product change.
    /// </summary>
    private static async Task<Results<Accepted<MigrationView>, NotFound, ValidationProblem, ProblemHttpResult>> Start(
        long accountId, BundleMigrationRequest? request, UnitOfWork db, NpgsqlDataSource database, CatalogueClient catalogues, IdGenerator ids,
        TimeProvider clock, IConfiguration configuration, HttpContext http, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var bundleCode = request?.BundleCode?.Trim();
        errors.Required("bundleCode", bundleCode);
        var requested = request?.Products ?? [];
        for (var i = 0; i < requested.Count; i++)
        {
            errors.Required($"products[{i}].subscriptionId", requested[i].SubscriptionId);
            errors.Required($"products[{i}].productCode", requested[i].ProductCode);
        }
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        if (await AccountStore.GetAsync(database, accountId) is not { } account) return TypedResults.NotFound();
        if (account.Status != EnumText.Of(AccountStatus.Active)) return Problems.Conflict($"The account is {account.Status}.");
        if (bundleCode == account.BundleCode) return Problems.Refused($"The account is already on {bundleCode}.", "bundleCode");
        if ((await catalogues.GetAsync(ct)).Bundle(bundleCode!) is not { } bundle) return Problems.Refused($"No bundle {bundleCode} in the catalogue.", "bundleCode");
        var lines = (await AccountStore.LinesAsync(database, accountId))[accountId].Where(l => !AccountClosing.HasEnded(l.Status)).ToList();

        var moves = new List<LineProductMove>();
        for (var i = 0; i < requested.Count; i++)
        {
            var line = lines.FirstOrDefault(l => l.SubscriptionId == requested[i].SubscriptionId);
            if (line is null) errors.Add($"products[{i}].subscriptionId", "Not a line of this account.");
            else if (!bundle.Offers(line.Type, requested[i].ProductCode!))
                errors.Add($"products[{i}].productCode", $"{bundle.Code} does not offer {requested[i].ProductCode} on its {EnumText.Of(line.Type)} lines.");
        }
        if (!errors.IsEmpty) return errors.Refuse(StatusCodes.Status422UnprocessableEntity, "The bundle cannot take these products");
        foreach (var line in lines)
        {
            var product = requested.FirstOrDefault(r => r.SubscriptionId == line.SubscriptionId)?.ProductCode
                ?? (bundle.Offers(line.Type, line.ProductCode) ? line.ProductCode : bundle.SlotFor(line.Type)?.Products.FirstOrDefault() ?? line.ProductCode);
            moves.Add(new LineProductMove(line.SubscriptionId, line.ProductCode, product));
        }
        var held = lines.Select(l => new HeldLine(l.Type, moves.Single(m => m.SubscriptionId == l.SubscriptionId).ToProductCode)).ToList();
        // Compatible as GET /compatible-bundles says: a slot the account cannot fill yet (a TV line to add) does not refuse it.
        var reasons = BundleRules.WhyNot(bundle, account.Payment, held);
        if (reasons.Count > 0) return Problems.Conflict($"Bundle {bundle.Code} is not compatible with the account: {string.Join(" ", reasons)}");

        var now = clock.GetUtcNow();
        var migrationId = ids.Next();
        var terms = AcceptedTerms.Of(bundle);
        IReadOnlyList<string> steps = [MigrationSteps.Subscription];
        var faults = MigrationFaults.Of(configuration, http);
        await db.ExecuteAsync(
            """
            INSERT INTO migrations (id, kind, user_id, source_account_id, target_account_id, new_account, steps, deadline, created_at, to_bundle_code, terms, faults)
            VALUES (@migrationId, @Kind, @UserId, @accountId, @accountId, false, @steps::jsonb, @deadline, @now, @Code, @terms::jsonb, @faults)
            """,
            new
            {
                migrationId, Kind = MigrationKinds.Bundle, account.UserId, accountId, now, bundle.Code,
                steps = JsonSerializer.Serialize(steps.ToDictionary(s => s, _ => MigrationKinds.Pending)),
                deadline = now + MigrationProgress.Timeout(configuration), terms = AccountTerms.Json(terms), faults,
            });
        if (await MigrationLocks.TakeAsync(db, migrationId, [$"account:{accountId}", .. moves.Select(m => $"line:{m.SubscriptionId}")]) is { } busy)
            return Problems.Conflict(busy);

        await db.PublishAsync(new BundleMigrationStarted(
            migrationId, accountId, account.UserId, account.BundleCode, bundle.Code, terms, moves, steps, now, faults));
        return TypedResults.Accepted($"/api/v1/migrations/{migrationId}", await MigrationStore.ViewAsync(db, migrationId));
    }
}
