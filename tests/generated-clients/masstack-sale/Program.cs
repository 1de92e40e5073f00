// A sale made only through the client Kiota generates from the gateway's /openapi/v1.json: reserve a number, post the
// sale, follow it until it completes. Prints the signup's id and final status; exits 0 only when it completed.
using MasStack.Client;
using MasStack.Client.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

var gateway = Environment.GetEnvironmentVariable("MASSTACK_GATEWAY") ?? throw new InvalidOperationException("MASSTACK_GATEWAY is not set");
var token = Environment.GetEnvironmentVariable("MASSTACK_TOKEN") ?? throw new InvalidOperationException("MASSTACK_TOKEN is not set");
var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticToken(token))) { BaseUrl = gateway.TrimEnd('/') };
var client = new MasStackClient(adapter);

var number = $"622{Random.Shared.Next(0, 1_000_000):D6}";
var reservation = await client.Api.V1.Msisdns[number].Reservations.PostAsync();
var dni = Random.Shared.Next(10_000_000, 99_999_999);
var address = new AddressRequest { Street = "Calle Mayor 1", City = "Madrid", PostalCode = "28013", Province = "Madrid" };
var accepted = await client.Api.V1.Signups.PostAsync(new SignupRequest
{
    Channel = SalesChannel.Online,
    PaymentType = PaymentType.Postpaid,
    BundleCode = "FIBER-MOBILE",
    Expedition = new SignupExpeditionRequest { Address = address, ContactName = "Lucía García", ContactPhone = "+34 612 345 678" },
    Customer = new CustomerRequest
    {
        DocumentType = "dni",
        DocumentNumber = $"{dni}{"TRWAGMYFPDXBNJZSQVHLCKE"[dni % 23]}",
        FirstName = "Lucía",
        LastName = "García Pérez",
        Email = $"lucia.{dni}@example.com",
        Phone = "+34 612 345 678",
        BirthDate = new Microsoft.Kiota.Abstractions.Date(1990, 5, 17),
        Address = address,
        Iban = "ES91 2100 0418 4502 0005 1332",
    },
    Lines =
    [
        new LineRequest { Type = SubscriptionType.Internet, ProductCode = "FIBER-1G" },
        new LineRequest { Type = SubscriptionType.Mobile, ProductCode = "MOBILE-50GB", NumberMode = NumberMode.New, Number = number, ReservationId = reservation!.ReservationId },
    ],
});

// Followed as a shop would: read at once, then again each poll interval, until it is no longer pending or the deadline passes.
var deadline = DateTime.UtcNow.AddMinutes(2);
using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
var signupId = accepted!.SignupId!.Value;
var signup = await client.Api.V1.Signups[signupId].GetAsync();
while (signup?.Status == "pending" && DateTime.UtcNow < deadline && await poll.WaitForNextTickAsync())
    signup = await client.Api.V1.Signups[signupId].GetAsync();

Console.WriteLine($"{signupId} {signup?.Status} {signup?.FailureReason}");
return signup?.Status == "completed" ? 0 : 1;

sealed class StaticToken(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();
    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
        Task.FromResult(token);
}
