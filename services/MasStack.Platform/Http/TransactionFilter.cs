using System.Security.Cryptography;
using System.Text.Json;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace MasStack.Platform.Http;

/// <summary>
/// Runs a writing endpoint in one transaction: committed when the handler answers 2xx, rolled back otherwise,
/// so a refused request changes nothing. With an <c>Idempotency-Key</c> the key, a hash of the request and
/// the response are stored in that same transaction: a repeat with the same body replays the first answer
/// (same status, body and Location), one with another body is 422. A concurrent repeat waits on the key's
/// row until the first commits, then replays it; if the first rolled back, the repeat runs as new.
/// </summary>
public sealed class TransactionFilter(UnitOfWork unitOfWork, IOptions<JsonOptions> jsonOptions) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        var route = $"{http.Request.Method} {http.Request.Path}";
        if (key.Length > 0)
        {
            if (!IdempotencyKeys.IsValid(key))
                return TypedResults.ValidationProblem(
                    new Dictionary<string, string[]> { [Header] = ["An Idempotency-Key is 1 to 255 printable ASCII characters."] });

            var hash = await HashBodyAsync(http.Request);
            var stored = await ClaimAsync(key, route, hash);
            if (stored is not null)
            {
                return stored.RequestHash.AsSpan().SequenceEqual(hash)
                    ? new ReplayedResponse(stored.StatusCode ?? StatusCodes.Status200OK, stored.ResponseBody, stored.Location)
                    : TypedResults.Problem(
                        title: "Idempotency-Key reused",
                        detail: "This Idempotency-Key was used with a different request body.",
                        statusCode: StatusCodes.Status422UnprocessableEntity);
            }
        }

        var result = await next(context);
        var inner = result;
        while (inner is INestedHttpResult nested) inner = nested.Result;
        if (inner is not IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } success) return result;

        if (key.Length > 0)
        {
            var body = inner is IValueHttpResult { Value: { } value }
                ? JsonSerializer.Serialize(value, value.GetType(), jsonOptions.Value.SerializerOptions)
                : null;
            var location = inner.GetType().GetProperty("Location")?.GetValue(inner) as string;
            await unitOfWork.ExecuteAsync(
                "UPDATE idempotency_keys SET status_code = @StatusCode, response_body = @body, location = @location WHERE idempotency_key = @key AND route = @route",
                new { success.StatusCode, body, location, key, route });
        }
        await unitOfWork.CommitAsync(http.RequestAborted);
        return result;
    }

    /// <summary>Inserts the key, or returns the record a committed earlier request left (an expired one is dropped first).</summary>
    private async Task<StoredResponse?> ClaimAsync(string key, string route, byte[] hash)
    {
        await unitOfWork.ExecuteAsync(
            "DELETE FROM idempotency_keys WHERE idempotency_key = @key AND route = @route AND created_at < now() - interval '24 hours'",
            new { key, route });
        var inserted = await unitOfWork.ExecuteAsync(
            "INSERT INTO idempotency_keys (idempotency_key, route, request_hash) VALUES (@key, @route, @hash) ON CONFLICT DO NOTHING",
            new { key, route, hash });
        if (inserted == 1) return null;
        return await unitOfWork.QuerySingleOrDefaultAsync<StoredResponse>(
            """
            SELECT request_hash AS RequestHash, status_code AS StatusCode, response_body AS ResponseBody, location AS Location
            FROM idempotency_keys WHERE idempotency_key = @key AND route = @route
            """, new { key, route });
    }

    private static async Task<byte[]> HashBodyAsync(HttpRequest request)
    {
        if (!request.Body.CanSeek) return SHA256.HashData([]);
        request.Body.Position = 0;
        var hash = await SHA256.HashDataAsync(request.Body);
        request.Body.Position = 0;
        return hash;
    }

    private sealed record StoredResponse(byte[] RequestHash, int? StatusCode, string? ResponseBody, string? Location);

    private sealed class ReplayedResponse(int statusCode, string? body, string? location) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = statusCode;
            httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            if (location is not null) httpContext.Response.Headers.Location = location;
            if (body is null) return;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            await httpContext.Response.WriteAsync(body);
        }
    }
}

public static class IdempotencyKeys
{
    public static bool IsValid(string key) => key.Length is >= 1 and <= 255 && key.All(c => c is >= ' ' and <= '~');
}
