using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MasStack.Platform.Data;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace MasStack.Platform.Http;

/// <summary>
/// Runs a writing endpoint in one transaction: committed when the handler answers 2xx, rolled back otherwise,
/// so a refused request changes nothing. With an <c>Idempotency-Key</c> (scoped by the calling client's
/// <c>X-Client-Id</c>) the key, a hash of the request (query string and body) and the answer are stored in that same
/// transaction: a repeat with the same request replays the first answer (status, body, <c>Location</c>, <c>ETag</c>),
/// one with another request is 422. A refusal (4xx but 400) is replayed too: its effects are rolled back to a savepoint
/// taken after the key was claimed, and only the record of its answer is committed. A 400 (a function of the request
/// alone) and a 5xx (try again) leave no record. A concurrent repeat waits on the key's row until the first commits,
/// then replays it; if the first left no record, the repeat runs as new.
/// </summary>
public sealed class TransactionFilter(
    UnitOfWork unitOfWork, IOptions<JsonOptions> jsonOptions, IOptions<ProblemDetailsOptions> problemDetailsOptions) : IEndpointFilter
{
    public const string Header = "Idempotency-Key";

    /// <summary>The calling client, set by the gateway once clients authenticate; absent is the anonymous client.</summary>
    public const string ClientHeader = "X-Client-Id";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (key.Length == 0)
        {
            var answer = await next(context);
            if (IsSuccess(StatusOf(answer))) await unitOfWork.CommitAsync();
            return answer;
        }
        if (!IdempotencyKeys.IsValid(key))
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [Header] = ["An Idempotency-Key is 1 to 255 printable ASCII characters."] });

        var record = new KeyRecord(http.Request.Headers[ClientHeader].ToString(), key, $"{http.Request.Method} {http.Request.Path}");
        var hash = await HashRequestAsync(http.Request);
        var stored = await ClaimAsync(record, hash);
        if (stored is not null)
        {
            return stored.RequestHash.AsSpan().SequenceEqual(hash)
                ? new ReplayedResponse(stored)
                : TypedResults.Problem(
                    title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was used with a different request (body or query string).",
                    statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        await unitOfWork.SavepointAsync();
        var result = await next(context);
        var status = StatusOf(result);
        if (!IsSuccess(status) && !IsReplayedRefusal(status)) return result; // disposing the unit of work rolls back, key and all
        if (!IsSuccess(status)) await unitOfWork.RollbackToSavepointAsync();
        await StoreAnswerAsync(http, record, status!.Value, result);
        // The client may have gone away meanwhile: the effect is committed all the same, and its retry replays the answer.
        await unitOfWork.CommitAsync();
        return result;
    }

    private static object? Unwrap(object? result)
    {
        while (result is INestedHttpResult nested) result = nested.Result;
        return result;
    }

    private static int? StatusOf(object? result) => (Unwrap(result) as IStatusCodeHttpResult)?.StatusCode;

    private static bool IsSuccess(int? status) => status is >= 200 and < 300;

    private static bool IsReplayedRefusal(int? status) => status is >= 400 and < 500 and not StatusCodes.Status400BadRequest;

    private async Task StoreAnswerAsync(HttpContext http, KeyRecord record, int status, object? result)
    {
        var inner = Unwrap(result);
        string? body = null, contentType = null;
        if (inner is ProblemHttpResult problem)
        {
            // Completed as the problem details service will write it (instance, traceId), so the replay is the same answer.
            problemDetailsOptions.Value.CustomizeProblemDetails?.Invoke(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem.ProblemDetails });
            body = JsonSerializer.Serialize(problem.ProblemDetails, problem.ProblemDetails.GetType(), jsonOptions.Value.SerializerOptions);
            contentType = "application/problem+json";
        }
        else if (inner is IValueHttpResult { Value: { } value })
        {
            body = JsonSerializer.Serialize(value, value.GetType(), jsonOptions.Value.SerializerOptions);
            contentType = "application/json; charset=utf-8";
        }
        var location = inner?.GetType().GetProperty("Location")?.GetValue(inner) as string ?? NullIfEmpty(http.Response.Headers.Location.ToString());
        var etag = NullIfEmpty(http.Response.Headers.ETag.ToString());
        await unitOfWork.ExecuteAsync(
            """
            UPDATE idempotency_keys SET status_code = @status, response_body = @body, content_type = @contentType, location = @location, etag = @etag
            WHERE client_id = @Client AND idempotency_key = @Key AND route = @Route
            """,
            new { status, body, contentType, location, etag, record.Client, record.Key, record.Route });
    }

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    /// <summary>Inserts the key, or returns the record a committed earlier request left (an expired one is dropped first).</summary>
    private async Task<StoredResponse?> ClaimAsync(KeyRecord record, byte[] hash)
    {
        await unitOfWork.ExecuteAsync(
            """
            DELETE FROM idempotency_keys
            WHERE client_id = @Client AND idempotency_key = @Key AND route = @Route AND created_at < now() - interval '24 hours'
            """, record);
        var inserted = await unitOfWork.ExecuteAsync(
            """
            INSERT INTO idempotency_keys (client_id, idempotency_key, route, request_hash) VALUES (@Client, @Key, @Route, @hash)
            ON CONFLICT DO NOTHING
            """, new { record.Client, record.Key, record.Route, hash });
        if (inserted == 1) return null;
        return await unitOfWork.QuerySingleOrDefaultAsync<StoredResponse>(
            """
            SELECT request_hash AS RequestHash, status_code AS StatusCode, response_body AS ResponseBody, content_type AS ContentType,
                   location AS Location, etag AS ETag
            FROM idempotency_keys WHERE client_id = @Client AND idempotency_key = @Key AND route = @Route
            """, record);
    }

    /// <summary>The body's hash, preceded by the query string when there is one (so a request without one hashes as before).</summary>
    private static async Task<byte[]> HashRequestAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (request.QueryString.HasValue) hash.AppendData(Encoding.UTF8.GetBytes(request.QueryString.Value + "\n"));
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await request.Body.ReadAsync(buffer)) > 0) hash.AppendData(buffer, 0, read);
            request.Body.Position = 0;
        }
        return hash.GetHashAndReset();
    }

    private sealed record KeyRecord(string Client, string Key, string Route);

    private sealed record StoredResponse(byte[] RequestHash, int? StatusCode, string? ResponseBody, string? ContentType, string? Location, string? ETag);

    private sealed class ReplayedResponse(StoredResponse stored) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = stored.StatusCode ?? StatusCodes.Status200OK;
            httpContext.Response.Headers["Idempotent-Replayed"] = "true";
            if (stored.Location is not null) httpContext.Response.Headers.Location = stored.Location;
            if (stored.ETag is not null) httpContext.Response.Headers.ETag = stored.ETag;
            if (stored.ResponseBody is null) return;
            httpContext.Response.ContentType = stored.ContentType ?? "application/json; charset=utf-8";
            await httpContext.Response.WriteAsync(stored.ResponseBody);
        }
    }
}

public static class IdempotencyKeys
{
    public static bool IsValid(string key) => key.Length is >= 1 and <= 255 && key.All(c => c is >= ' ' and <= '~');
}
