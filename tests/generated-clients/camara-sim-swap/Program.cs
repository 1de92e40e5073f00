// A partner's program: the client Kiota generates from CAMARA's own sim-swap.yaml (r3.3), unchanged, pointed at our
// gateway. Prints one line per question so the end-to-end test can compare the answers with the line's history.
using Camara.SimSwap;
using Camara.SimSwap.Models;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

var gateway = Environment.GetEnvironmentVariable("MASSTACK_GATEWAY") ?? throw new InvalidOperationException("MASSTACK_GATEWAY is not set");
var token = Environment.GetEnvironmentVariable("MASSTACK_TOKEN") ?? throw new InvalidOperationException("MASSTACK_TOKEN is not set");
var phoneNumber = Environment.GetEnvironmentVariable("PHONE_NUMBER") ?? throw new InvalidOperationException("PHONE_NUMBER is not set");
var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticToken(token)))
{
    BaseUrl = gateway.TrimEnd('/') + "/sim-swap/v2",
};
var client = new SimSwapClient(adapter);

var date = await client.RetrieveDate.PostAsync(new CreateSimSwapDate { PhoneNumber = phoneNumber });
Console.WriteLine($"retrieve-date {date!.LatestSimChange:O}");
var check = await client.Check.PostAsync(new CreateCheckSimSwap { PhoneNumber = phoneNumber, MaxAge = 1 });
Console.WriteLine($"check {check!.Swapped}");
await Refused("unknown", () => client.Check.PostAsync(new CreateCheckSimSwap { PhoneNumber = "+34699999999", MaxAge = 24 }));
await Refused("out-of-range", () => client.Check.PostAsync(new CreateCheckSimSwap { PhoneNumber = phoneNumber, MaxAge = 2401 }));
return 0;

// CAMARA's error body, read by the error classes the document declares per status
static async Task Refused(string question, Func<Task> call)
{
    try
    {
        await call();
        Console.WriteLine($"{question} answered");
    }
    catch (ApiException e)
    {
        // The document's per-status errors are ErrorInfo narrowed by allOf: Kiota keeps their fields as additional data
        var code = e is IAdditionalDataHolder holder && holder.AdditionalData.TryGetValue("code", out var value) ? value : null;
        Console.WriteLine($"{question} {e.ResponseStatusCode} {code}");
    }
}

sealed class StaticToken(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();
    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(token);
}
