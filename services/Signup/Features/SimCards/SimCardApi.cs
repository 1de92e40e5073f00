using Dapper;
using MasStack.Contracts;
using MasStack.Platform.Data;
using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Signup.Features.MasterData;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Signup.Features.SimCards;

public static class SimCardApi
{
    public static IEndpointRouteBuilder MapSimCardApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/sim-cards").WithTags("SIM cards");
        api.MapGet("/", List);
        api.MapGet("/{icc}", Get);
        api.MapPost("/{icc}/activation", Activate).Transactional();
        return app;
    }

    private static async Task<Results<Ok<List<SimCardView>>, ValidationProblem>> List(
        string? network, string? state, [AsParameters] PageRequest page, NpgsqlDataSource database, HttpContext http)
    {
        var errors = new ValidationErrors();
        if (network is not null && MasterDataSet.NetworkOf(network)?.SimIssuer is null)
            errors.Add("network", $"One of {string.Join(", ", MasterDataSet.Networks.Where(n => n.SimIssuer is not null).Select(n => n.Code))}.");
        if (state is not null && !SimStock.States.Contains(state)) errors.Add("state", $"One of {string.Join(", ", SimStock.States)}.");
        page.Validate(errors);
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        await using var connection = await database.OpenSnapshotAsync();
        const string where = "WHERE (@network::text IS NULL OR network = @network) AND (@state::text IS NULL OR state = @state)";
        var total = await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM sim_cards {where}", new { network, state });
        var sims = (await connection.QueryAsync<SimCardView>(
            $"SELECT {SimStock.Columns} FROM sim_cards {where} ORDER BY iccid OFFSET @offset LIMIT @limit",
            new { network, state, offset = page.Offset ?? 0, limit = page.Limit ?? PageRequest.DefaultLimit })).AsList();
        http.Response.Headers["X-Total-Count"] = total.ToString();
        http.Response.Headers["X-Result-Count"] = sims.Count.ToString();
        return TypedResults.Ok(sims);
    }

    internal static async Task<Results<Ok<SimCardView>, NotFound, ValidationProblem>> Get(string icc, NpgsqlDataSource database)
    {
        if (!Iccid.IsValid(icc)) return ValidationErrors.For("icc", Iccid.Expected);
        await using var connection = await database.OpenConnectionAsync();
        var sim = await connection.QuerySingleOrDefaultAsync<SimCardView>($"SELECT {SimStock.Columns} FROM sim_cards WHERE iccid = @icc", new { icc });
        return sim is null ? TypedResults.NotFound() : TypedResults.Ok(sim);
    }

    /// <summary>
    /// Activates the SIM of a line sold with a new number, once its sale is complete; the line becomes active through
    /// <see cref="SimActivated"/>. A ported line's SIM activates when the number is ported, not here.
    /// </summary>
    private static async Task<Results<Accepted<SimCardView>, NotFound, ValidationProblem, ProblemHttpResult>> Activate(
        string icc, UnitOfWork db, TimeProvider clock)
    {
        if (!Iccid.IsValid(icc)) return ValidationErrors.For("icc", Iccid.Expected);
        var sim = await db.QuerySingleOrDefaultAsync<SimToActivate>(
            """
            SELECT s.state, s.network, s.subscription_id AS SubscriptionId, g.status AS SignupStatus, l.number_mode AS NumberMode, l.number
            FROM sim_cards s LEFT JOIN signups g ON g.id = s.signup_id LEFT JOIN signup_lines l ON l.subscription_id = s.subscription_id
            WHERE s.iccid = @icc FOR UPDATE OF s
            """, new { icc });
        if (sim is null) return TypedResults.NotFound();
        var refusal = SimActivationRules.Refusal(sim.State, sim.SignupStatus, sim.NumberMode);
        if (refusal is not null) return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "SIM card cannot be activated", detail: refusal);

        var now = clock.GetUtcNow();
        await db.ExecuteAsync("UPDATE sim_cards SET state = 'active', updated_at = @now WHERE iccid = @icc", new { icc, now });
        await db.ExecuteAsync("UPDATE numbers SET state = 'active', updated_at = @now WHERE subscription_id = @SubscriptionId", new { sim.SubscriptionId, now });
        await db.PublishAsync(new SimActivated(icc, sim.SubscriptionId!.Value, sim.Number, now));
        return TypedResults.Accepted($"/api/v1/subscriptions/{sim.SubscriptionId}",
            new SimCardView(icc, sim.Network, SimStock.Active, sim.SubscriptionId, now));
    }

    private sealed record SimToActivate(string State, string Network, long? SubscriptionId, string? SignupStatus, string? NumberMode, string? Number);
}

public static class SimActivationRules
{
    /// <summary>Why a SIM cannot be activated now, or null when it can.</summary>
    public static string? Refusal(string simState, string? signupStatus, string? numberMode) => simState switch
    {
        SimStock.Available => "The SIM card is not assigned to any line.",
        SimStock.Active => "The SIM card is already active.",
        SimStock.Assigned when signupStatus == "pending" => "The sale of this SIM's line is not complete yet; try again shortly.",
        SimStock.Assigned when signupStatus != "completed" => "The sale of this SIM's line failed; the SIM is not in use.",
        SimStock.Assigned when numberMode == "portability" => "A ported line's SIM activates by itself when the number is ported.",
        SimStock.Assigned => null,
        _ => $"The SIM card is {simState}.",
    };
}
