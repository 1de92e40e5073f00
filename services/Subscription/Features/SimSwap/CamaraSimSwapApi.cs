using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Dapper;
using MasStack.Contracts;
using Npgsql;

namespace MasStack.Subscription.Features.SimSwap;

/// <summary>
/// CAMARA SIM Swap v2.1.0 (camaraproject/SimSwap, release r3.3), served as that document defines it for two-legged
/// tokens: the phone number in E.164 in the body, CAMARA's error body <c>{status, code, message}</c> (not RFC 9457
/// problems) and <c>x-correlator</c> echoed (the service defaults do that). A new line counts as a SIM change, as the
/// specification says, so a never-swapped line answers its activation date. Numbers this operator does not serve, and
/// lines not yet active (a port-in still with the donor), are <c>IDENTIFIER_NOT_FOUND</c>; a fixed, internet or TV
/// number has no SIM (<c>SERVICE_NOT_APPLICABLE</c>).
/// </summary>
public static partial class CamaraSimSwapApi
{
    public const string Version = "2.1.0";
    private const int DefaultMaxAgeHours = 240;

    public static IEndpointRouteBuilder MapCamaraSimSwapApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/sim-swap/v2").WithTags("CAMARA SIM Swap");
        api.MapPost("/retrieve-date", RetrieveDate).WithName("retrieveSimSwapDate");
        api.MapPost("/check", Check).WithName("checkSimSwap");
        return app;
    }

    public sealed record CreateSimSwapDate(string? PhoneNumber);

    public sealed record CreateCheckSimSwap(string? PhoneNumber, int? MaxAge);

    public sealed record SimSwapInfo(DateTimeOffset? LatestSimChange);

    public sealed record CheckSimSwapInfo(bool Swapped);

    /// <summary>CAMARA's error body.</summary>
    public sealed record ErrorInfo(int Status, string Code, string Message);

    private static async Task<IResult> RetrieveDate(HttpRequest request, NpgsqlDataSource database)
    {
        var (body, error) = await ReadAsync<CreateSimSwapDate>(request);
        if (error is not null) return error;
        var (latest, notFound) = await LatestSimChangeAsync(database, body!.PhoneNumber);
        return notFound ?? Results.Json(new SimSwapInfo(latest), Json);
    }

    private static async Task<IResult> Check(HttpRequest request, NpgsqlDataSource database, TimeProvider clock)
    {
        var (body, error) = await ReadAsync<CreateCheckSimSwap>(request);
        if (error is not null) return error;
        var maxAge = body!.MaxAge ?? DefaultMaxAgeHours;
        if (maxAge is < 1 or > 2400) return Error(400, "OUT_OF_RANGE", "maxAge must be from 1 to 2400 hours.");
        var (latest, notFound) = await LatestSimChangeAsync(database, body.PhoneNumber);
        return notFound ?? Results.Json(new CheckSimSwapInfo(Swapped(latest, maxAge, clock.GetUtcNow())), Json);
    }

    /// <summary>Whether the SIM changed within the last <paramref name="maxAgeHours"/> hours before <paramref name="now"/>.</summary>
    public static bool Swapped(DateTimeOffset? latestSimChange, int maxAgeHours, DateTimeOffset now) =>
        latestSimChange is { } changed && changed > now - TimeSpan.FromHours(maxAgeHours);

    private static async Task<(DateTimeOffset? Latest, IResult? Error)> LatestSimChangeAsync(NpgsqlDataSource database, string? phoneNumber)
    {
        if (phoneNumber is null) return (null, Error(422, "MISSING_IDENTIFIER", "The device cannot be identified."));
        if (!E164().IsMatch(phoneNumber)) return (null, Error(400, "INVALID_ARGUMENT", "phoneNumber must be E.164 with its leading +."));
        var notFound = Error(404, "IDENTIFIER_NOT_FOUND", "Device identifier not found.");

        await using var connection = await database.OpenConnectionAsync();
        var line = await connection.QuerySingleOrDefaultAsync<NumberedLine>(
            $"""
            SELECT s.type, s.activated_at AS ActivatedAt, (SELECT max(w.swapped_at) FROM sim_swaps w WHERE w.subscription_id = s.id) AS SwappedAt
            FROM subscriptions s
            WHERE s.number = @number AND s.status NOT IN ({EndedLines.Sql}, 'pending-activation', 'pending-portability')
            """,
            new { number = phoneNumber }); // lines keep their numbers in E.164, as CAMARA sends them
        if (line is null) return (null, notFound);
        if (line.Type != "mobile") return (null, Error(422, "SERVICE_NOT_APPLICABLE", "The service is not available for the provided identifier."));
        return (line.SwappedAt ?? line.ActivatedAt, null);
    }

    private sealed record NumberedLine(string Type, DateTimeOffset? ActivatedAt, DateTimeOffset? SwappedAt);

    private static async Task<(T? Body, IResult? Error)> ReadAsync<T>(HttpRequest request) where T : class
    {
        var invalid = Error(400, "INVALID_ARGUMENT", "Client specified an invalid argument, request body or query param.");
        if (!request.HasJsonContentType()) return (null, invalid);
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted) is { } body
                ? (body, null)
                : (null, invalid);
        }
        catch (JsonException)
        {
            return (null, invalid);
        }
    }

    private static IResult Error(int status, string code, string message) => Results.Json(new ErrorInfo(status, code, message), Json, statusCode: status);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    [GeneratedRegex(@"^\+[1-9][0-9]{4,14}$")]
    private static partial Regex E164();
}
