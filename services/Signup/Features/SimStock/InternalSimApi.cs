using Dapper;
using MasStack.Platform.Formats;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace MasStack.Signup.Features.SimStock;

public sealed record InternalSimCard(string Iccid, string Network, string State, long? SubscriptionId);

/// <summary>
/// STAND-IN until the SIM stock (issue 3) lands: the contract Subscription's SIM swap asks —
/// <c>GET /internal/sim-cards/{icc}</c> → <c>{iccid, network, state, subscriptionId}</c>, 404 when not ours — answered
/// without a stock table: the network from the ICCID's issuer digits (89 34 II…), <c>assigned</c> when a sale that
/// has not failed names the SIM, else <c>available</c>. The real stock replaces the body of this endpoint, not its shape;
/// it also consumes <c>SimReplaced</c> and <c>SubscriptionCancelled</c> to mark SIMs replaced or back in stock.
/// </summary>
public static class InternalSimApi
{
    private static readonly Dictionary<string, string> NetworksByIssuer = new()
    {
        ["01"] = "vodafone", ["03"] = "orange", ["04"] = "yoigo", ["07"] = "movistar",
    };

    public static IEndpointRouteBuilder MapInternalSimApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/internal/sim-cards/{icc}", Find).WithTags("Internal").ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<InternalSimCard>, NotFound, ValidationProblem>> Find(string icc, NpgsqlDataSource database)
    {
        if (!Iccid.IsValid(icc))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["icc"] = ["19 or 20 digits starting 8934, the last a Luhn check digit."] });
        if (!NetworksByIssuer.TryGetValue(icc[4..6], out var network)) return TypedResults.NotFound();

        await using var connection = await database.OpenConnectionAsync();
        var subscriptionId = await connection.QuerySingleOrDefaultAsync<long?>(
            """
            SELECT l.subscription_id FROM signup_lines l JOIN signups s ON s.id = l.signup_id
            WHERE l.iccid = @icc AND s.status <> 'failed' ORDER BY s.created_at DESC LIMIT 1
            """, new { icc });
        return TypedResults.Ok(new InternalSimCard(icc, network, subscriptionId is null ? "available" : "assigned", subscriptionId));
    }
}
