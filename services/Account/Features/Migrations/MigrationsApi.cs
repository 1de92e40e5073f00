using System.Text.Json;
using Dapper;
using MasStack.Account.Features.Accounts;
using MasStack.Account.Features.Bundles;
using MasStack.Contracts;
using MasStack.Platform.Catalogue;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Account.Features.Migrations;

/// <summary>
/// The target: an existing account of the line's user, or a new one (with an IBAN when postpaid); optionally the product the
/// line takes there (by default its own when the target bundle offers it, else the bundle's first for its type).
/// </summary>
public sealed record MigrationRequest(long? TargetAccountId, NewAccountRequest? NewAccount, string? ProductCode = null);

/// <summary>A new account for the line: its payment type and bundle; postpaid needs the IBAN to charge (holder: the source's, unless given).</summary>
public sealed record NewAccountRequest(PaymentType? PaymentType, string? BundleCode, string? Iban, string? Holder);

/// <summary>
/// A migration: its kind, the line (none for a bundle migration) and the accounts, the target bundle of a bundle migration,
/// each step's state, and <c>pending | completed | failed</c> with why. A failed one shows each participant's undo
/// (<c>pending | undone | timed-out</c>): its line and accounts stay held while one is pending.
/// </summary>
public sealed record MigrationView(
    long MigrationId, string Kind, long? SubscriptionId, long SourceAccountId, long TargetAccountId, bool NewAccount, string? BundleCode,
    string Status, string? Reason, IReadOnlyDictionary<string, string> Steps, DateTimeOffset CreatedAt, DateTimeOffset? EndedAt,
    IReadOnlyDictionary<string, string>? Undo = null);

public static class MigrationsApi
{
    public static IEndpointRouteBuilder MapMigrationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").WithTags("Accounts");
        api.MapPost("/subscriptions/{subscriptionId:long}/migrations", Start).Transactional()
            .ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/migrations/{migrationId:long}", Get);
        return app;
    }

    /// <summary>The line as Account's copy holds it; <see cref="BarringReasons"/> comma-separated, null when not heard from Barring.</summary>
    private sealed record SourceLine(
        long SubscriptionId, long AccountId, long UserId, string Type, string ProductCode, string Status, string PaymentType, string? BarringReasons);

    /// <summary>
    /// Checks everything before anything moves (a refusal writes nothing), then records the migration, holds its line and
    /// accounts (one migration at a time each), opens the new account if there is one and announces the saga.
    /// </summary>
    private static async Task<Results<Accepted<MigrationView>, NotFound, ValidationProblem, ProblemHttpResult>> Start(
        long subscriptionId, MigrationRequest? request, UnitOfWork db, NpgsqlDataSource database, CatalogueClient catalogues, IdGenerator ids,
        TimeProvider clock, IConfiguration configuration, HttpContext http, CancellationToken ct)
    {
        var errors = new ValidationErrors();
        var wanted = request?.NewAccount;
        if ((request?.TargetAccountId is null) == (wanted is null))
            errors.Add("targetAccountId", "Give either targetAccountId (an existing account of the same user) or newAccount.");
        string? iban = null;
        if (wanted is not null)
        {
            if (wanted.PaymentType is null) errors.Add("newAccount.paymentType", $"One of {EnumText.Choices<PaymentType>()}.");
            errors.Required("newAccount.bundleCode", wanted.BundleCode);
            if (wanted.PaymentType == PaymentType.Postpaid && errors.Required("newAccount.iban", wanted.Iban) && (iban = Iban.Normalize(wanted.Iban)) is null)
                errors.Add("newAccount.iban", "A valid IBAN (ES + 22 digits for a Spanish account).");
        }
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        SourceLine? line;
        AccountRow? target = null;
        IReadOnlyList<AccountLine> targetLines = [];
        await using (var connection = await database.OpenConnectionAsync(ct))
        {
            line = await connection.QuerySingleOrDefaultAsync<SourceLine>(
                """
                SELECT l.subscription_id AS SubscriptionId, l.account_id AS AccountId, a.user_id AS UserId, l.type, l.product_code AS ProductCode,
                       l.status, a.payment_type AS PaymentType, array_to_string(l.barring_reasons, ',') AS BarringReasons
                FROM account_subscriptions l JOIN accounts a ON a.id = l.account_id WHERE l.subscription_id = @subscriptionId
                """, new { subscriptionId });
            if (line is null) return TypedResults.NotFound();
            if (request!.TargetAccountId is { } targetId)
            {
                target = await AccountStore.GetAsync(database, targetId);
                if (target is null || target.UserId != line.UserId)
                    return Problems.Refused($"Account {targetId} is not an account of the line's user.", "targetAccountId");
                if (target.Id == line.AccountId) return Problems.Refused("The line is already in that account.", "targetAccountId");
                if (target.Status != EnumText.Of(AccountStatus.Active)) return Problems.Conflict($"Account {targetId} is {target.Status}.");
                targetLines = (await AccountStore.LinesAsync(database, targetId))[targetId].ToList();
            }
        }
        if (MigrationKinds.WhyNotMovable(line.Status, line.BarringReasons?.Split(',', StringSplitOptions.RemoveEmptyEntries)) is { } unmovable) return Problems.Conflict(unmovable);

        var sourcePayment = EnumText.Parse<PaymentType>(line.PaymentType);
        var targetPayment = target?.Payment ?? wanted!.PaymentType!.Value;
        var kind = MigrationKinds.Of(sourcePayment, targetPayment, target is null);
        if (kind == MigrationKinds.PrepaidToNewPostpaid && string.IsNullOrWhiteSpace(wanted!.Holder))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["newAccount.holder"] = ["The holder of the bank account: a prepaid account has none to take it from."],
            });
        var bundleCode = target?.BundleCode ?? wanted!.BundleCode!.Trim();
        var bundle = (await catalogues.GetAsync(ct)).Bundles.FirstOrDefault(b => b.Code == bundleCode);
        if (bundle is null) return Problems.Refused($"No bundle {bundleCode} in the catalogue.", "newAccount.bundleCode");
        var lineType = EnumText.Parse<SubscriptionType>(line.Type);
        var requestedProduct = request!.ProductCode?.Trim();
        if (requestedProduct is not null && !bundle.Offers(lineType, requestedProduct))
            return Problems.Refused($"{bundle.Code} does not offer {requestedProduct} on its {line.Type} lines.", "productCode");
        var product = MigrationKinds.TargetProduct(bundle, lineType, line.ProductCode, requestedProduct) ?? line.ProductCode;
        var held = targetLines.Where(l => !AccountClosing.HasEnded(l.Status)).Select(l => new HeldLine(l.Type, l.ProductCode))
            .Append(new HeldLine(lineType, product)).ToList();
        if (BundleRules.WhyNot(bundle, targetPayment, held) is { Count: > 0 } reasons)
            return Problems.Conflict($"Bundle {bundle.Code} cannot hold the line: {string.Join(" ", reasons)}");

        var now = clock.GetUtcNow();
        var (migrationId, targetAccountId) = (ids.Next(), target?.Id ?? ids.Next());
        var steps = MigrationKinds.Steps(kind, target is null);
        var faults = MigrationFaults.Of(configuration, http);
        await db.ExecuteAsync(
            """
            INSERT INTO migrations (id, kind, subscription_id, user_id, source_account_id, target_account_id, new_account, steps, deadline, created_at, faults)
            VALUES (@migrationId, @kind, @subscriptionId, @UserId, @AccountId, @targetAccountId, @newAccount, @steps::jsonb, @deadline, @now, @faults)
            """,
            new
            {
                migrationId, kind, subscriptionId, line.UserId, line.AccountId, targetAccountId, newAccount = target is null,
                steps = JsonSerializer.Serialize(steps.ToDictionary(s => s, _ => MigrationKinds.Pending)),
                deadline = now + MigrationProgress.Timeout(configuration), now, faults,
            });
        string[] keys = [$"line:{subscriptionId}", $"account:{line.AccountId}", .. target is null ? Array.Empty<string>() : [$"account:{target.Id}"]];
        if (await MigrationLocks.TakeAsync(db, migrationId, keys) is { } busy) return Problems.Conflict(busy);

        string? holder = null;
        if (target is null)
        {
            await db.ExecuteAsync(
                """
                INSERT INTO accounts (id, user_id, status, payment_type, bundle_code, billing_day, opened_at, migration_id, terms, terms_accepted_at)
                VALUES (@targetAccountId, @UserId, @Status, @PaymentType, @bundleCode, @BillingDay, @now, @migrationId, @terms::jsonb, @now)
                """,
                new
                {
                    targetAccountId, line.UserId, bundleCode, SignupSubmittedConsumer.BillingDay, now, migrationId,
                    Status = EnumText.Of(AccountStatus.Active), PaymentType = EnumText.Of(targetPayment),
                    terms = AccountTerms.Json(AcceptedTerms.Of(bundle)),
                });
            await db.PublishAsync(new AccountOpened(targetAccountId, line.UserId, null, AccountStatus.Active, targetPayment, bundleCode, now, Version: 1));
            holder = wanted!.Holder?.Trim();
        }
        await db.PublishAsync(new MigrationStarted(
            migrationId, kind, subscriptionId, line.UserId, line.AccountId, targetAccountId, target is null, targetPayment, bundleCode, steps, now,
            iban, holder, faults, product == line.ProductCode ? null : product));

        var view = await MigrationStore.ViewAsync(db, migrationId);
        return TypedResults.Accepted($"/api/v1/migrations/{migrationId}", view);
    }

    private static async Task<Results<Ok<MigrationView>, NotFound>> Get(long migrationId, NpgsqlDataSource database)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await MigrationStore.ViewAsync(connection, migrationId) is { } view ? TypedResults.Ok(view) : TypedResults.NotFound();
    }
}

public static class MigrationLocks
{
    /// <summary>
    /// Holds the keys (<c>line:{id}</c>, <c>account:{id}</c>) for the migration until it completes, or — failed — until its
    /// participants have undone their parts (<see cref="MigrationUndo"/>); of two transactions taking one
    /// key the second waits for the first and gets nothing. Null when all were taken, else why not (the caller refuses: 409).
    /// </summary>
    public static async Task<string?> TakeAsync(UnitOfWork db, long migrationId, string[] keys)
    {
        var locked = await db.QueryAsync<string>(
            "INSERT INTO migration_locks (key, migration_id) SELECT unnest(@keys), @migrationId ON CONFLICT (key) DO NOTHING RETURNING key",
            new { keys, migrationId });
        return locked.Count == keys.Length ? null
            : $"A migration is already pending for {string.Join(" and ", keys.Except(locked).Select(k => k.Replace(':', ' ')))}.";
    }
}

/// <summary>
/// Test-only fault injection, honoured only where <c>Faults:Migrations</c> is true: faults separated by commas, each a step
/// (one of <see cref="MigrationSteps"/>: <c>subscription</c>, <c>billing</c>, <c>consumption</c>) that fails, or with
/// <c>:silent</c> never answers, or with <c>:undo-silent</c> undoes its part but never says so (<see cref="MigrationSteps.Faulted"/>).
/// </summary>
public static class MigrationFaults
{
    public const string Header = "X-Fault-Step";

    public static string? Of(IConfiguration configuration, HttpContext http) =>
        configuration.GetValue<bool>("Faults:Migrations") && http.Request.Headers[Header].ToString() is { Length: > 0 } step ? step : null;
}
