using MasStack.Platform.Formats;
using MasStack.Platform.Http;
using MasStack.Platform.Ids;
using MasStack.Signup.Features.MasterData;
using Microsoft.AspNetCore.Http.HttpResults;

namespace MasStack.Signup.Features.Numbers;

public sealed record FreeNumber(string Msisdn, string Network, string Type);

public sealed record NumberReservation(long ReservationId, string Msisdn, string Network, DateTimeOffset ExpiresAt);

public static class NumberApi
{
    public const int DefaultCount = 10;
    public const int MaxCount = 100;

    public static IEndpointRouteBuilder MapNumberApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/msisdns").WithTags("Numbers");
        api.MapGet("/", ListFree);
        api.MapPost("/{msisdn}/reservations", Reserve).Transactional();
        return app;
    }

    private static async Task<Results<Ok<List<FreeNumber>>, ValidationProblem>> ListFree(
        string? network, string? type, int? count, NumberStock stock, HttpContext http)
    {
        var errors = new ValidationErrors();
        var known = MasterDataSet.NetworkOf(network);
        if (errors.Required("network", network) && known is null)
            errors.Add("network", $"One of {string.Join(", ", MasterDataSet.Networks.Select(n => n.Code))}.");
        if (type is not null && type is not ("mobile" or "fixed")) errors.Add("type", "One of mobile, fixed.");
        else if (type is not null && known is not null && Platform.Data.EnumText.Of(known.Type) != type)
            errors.Add("type", $"The {known.Code} network has {Platform.Data.EnumText.Of(known.Type)} numbers only.");
        if (count is < 1 or > MaxCount) errors.Add("count", $"From 1 to {MaxCount}.");
        if (!errors.IsEmpty) return TypedResults.ValidationProblem(errors.ToDictionary());

        var free = await stock.FreeAsync(known!.Code, type, count ?? DefaultCount);
        http.Response.Headers["X-Result-Count"] = free.Count.ToString();
        return TypedResults.Ok(free.Select(n => new FreeNumber(n, known.Code, Platform.Data.EnumText.Of(known.Type))).ToList());
    }

    private static async Task<Results<Created<NumberReservation>, ValidationProblem, ProblemHttpResult>> Reserve(
        string msisdn, NumberStock stock, IdGenerator ids, TimeProvider clock)
    {
        var number = PhoneNumber.Normalize(msisdn);
        if (number is null) return ValidationErrors.For("msisdn", "Not a Spanish phone number (612345678, +34612345678 or 0034612345678).");
        var range = await stock.RangeOfAsync(number);
        if (range is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not one of our numbers",
                detail: $"{number} is in none of our networks' ranges; a number of another operator comes by portability.");

        var held = await stock.HoldAsync(number, ids.Next(), clock);
        if (held is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Number not available",
                detail: $"{number} is already reserved or belongs to a line.");
        return TypedResults.Created($"/api/v1/msisdns/{number}/reservations/{held.Value.ReservationId}",
            new NumberReservation(held.Value.ReservationId, number, range.Network, held.Value.ExpiresAt));
    }
}
