using System.Security.Claims;
using MasStack.Identity;
using MasStack.Platform.Data;
using MasStack.ServiceDefaults;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using Npgsql;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddNpgsqlDataSource(ResourceNames.Database(ResourceNames.Identity));

var settings = builder.Configuration.GetSection(IdentitySettings.Section).Get<IdentitySettings>() ?? new IdentitySettings();
var clients = ClientRegistry.From(builder.Configuration);
builder.Services.AddSingleton(clients);

// The shared signing key, before anything listens: the schema first (only Identity's own scripts), then the key.
var connectionString = builder.Configuration.GetConnectionString(ResourceNames.Database(ResourceNames.Identity))
    ?? throw new InvalidOperationException($"No connection string {ResourceNames.Database(ResourceNames.Identity)}.");
RsaSecurityKey signingKey;
await using (var startupDataSource = NpgsqlDataSource.Create(connectionString))
{
    await SchemaMigrator.MigrateOwnScriptsAsync(startupDataSource, typeof(ClientRegistry).Assembly, ResourceNames.Identity, NullLogger.Instance, CancellationToken.None);
    signingKey = await SigningKeys.LoadOrCreateAsync(startupDataSource, CancellationToken.None);
}

// OpenIddict's server in degraded mode: client credentials only, the clients validated against configuration (no
// application store), JWT access tokens signed (not encrypted) so that the gateway verifies them with the published keys.
builder.Services.AddOpenIddict().AddServer(options =>
{
    options.SetIssuer(new Uri(settings.Issuer, UriKind.Absolute));
    options.SetTokenEndpointUris("connect/token");
    options.SetConfigurationEndpointUris(".well-known/openid-configuration");
    options.SetJsonWebKeySetEndpointUris(".well-known/jwks");
    options.AllowClientCredentialsFlow();
    options.EnableDegradedMode();
    options.SetAccessTokenLifetime(settings.AccessTokenLifetime);
    options.DisableAccessTokenEncryption();
    options.AddSigningKey(signingKey);
    // Required by OpenIddict's configuration although no token issued here is encrypted (access tokens are signed JWTs).
    options.AddEphemeralEncryptionKey();
    options.RegisterScopes([.. clients.AllScopes]);
    // TLS ends in front of the gateway; Identity is reached over the cluster's network only.
    options.UseAspNetCore().DisableTransportSecurityRequirement();

    options.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
    {
        if (!context.Request.IsClientCredentialsGrantType())
        {
            context.Reject(Errors.UnsupportedGrantType, "Only the client_credentials grant is supported.");
            return default;
        }
        if (clients.Authenticate(context.ClientId, context.ClientSecret) is not { } client)
        {
            context.Reject(Errors.InvalidClient, "Unknown client or wrong secret.");
            return default;
        }
        if (ClientRegistry.Grant(client, context.Request.GetScopes()) is null)
            context.Reject(Errors.InvalidScope, "A requested scope is not granted to this client.");
        return default;
    }));

    options.AddEventHandler<OpenIddictServerEvents.HandleTokenRequestContext>(handler => handler.UseInlineHandler(context =>
    {
        var client = clients.Authenticate(context.ClientId, context.Request.ClientSecret)!;
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Subject, Claims.Role);
        identity.SetClaim(Claims.Subject, client.Id);
        identity.SetScopes(ClientRegistry.Grant(client, context.Request.GetScopes())!);
        identity.SetAudiences(settings.Audience);
        identity.SetDestinations(_ => [Destinations.AccessToken]);
        context.SignIn(new ClaimsPrincipal(identity));
        return default;
    }));
});

var app = builder.Build();
app.UseServiceDefaults();
app.UseAuthentication();
app.Run();

/// <summary>Identity's settings (<c>Identity</c> section); the clients are <see cref="ClientRegistry"/>'s.</summary>
public sealed class IdentitySettings
{
    public const string Section = "Identity";

    /// <summary>The issuer tokens name, which the gateway checks (<c>Authentication:Issuer</c>).</summary>
    public string Issuer { get; set; } = "http://identity/";

    /// <summary>The audience tokens are for, which the gateway checks (<c>Authentication:Audience</c>).</summary>
    public string Audience { get; set; } = "masstack-api";

    /// <summary>How long an access token lives: 15 minutes at most.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
}
