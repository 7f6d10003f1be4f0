using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pm.AspNetCore.Tests;

/// <summary>The application's own authentication and policies guard the interface: reading for one policy, killing for a stricter one.</summary>
public sealed class ProcessListAuthorizationTests
{
    private const string Scheme = "Test";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<TestApp> StartAsync() => TestApp.StartAsync(
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapProcessList("/procs")
                .RequireAuthorization("pm-read")
                .Kills.RequireAuthorization("pm-kill");
        },
        services =>
        {
            services.AddAuthentication(Scheme).AddScheme<AuthenticationSchemeOptions, HeaderAuthentication>(Scheme, null);
            services.AddAuthorizationBuilder()
                .AddPolicy("pm-read", p => p.RequireRole("operator", "lead"))
                .AddPolicy("pm-kill", p => p.RequireRole("lead"));
        });

    private static async Task<HttpResponseMessage> SendAsync(TestApp app, HttpMethod method, string path, string? user)
    {
        using var request = new HttpRequestMessage(method, path);
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        return await app.Client.SendAsync(request, Ct);
    }

    [Fact]
    public async Task MapProcessList_ReadAndKillPolicies_AreEnforcedApart()
    {
        await using var app = await StartAsync();
        using var task = app.List.Start("job");

        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(app, HttpMethod.Get, "procs/", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, HttpMethod.Get, "procs/", "guest:visitor")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "procs/", "ann:operator")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Get, "procs/job/history", "ann:operator")).StatusCode);

        // An operator reads but may not kill; a lead may, and the kill is audited with the user's name.
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(app, HttpMethod.Delete, "procs/job", "ann:operator")).StatusCode);
        Assert.False(task.IsKillRequested);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(app, HttpMethod.Delete, "procs/job", "bo:lead")).StatusCode);
        Assert.True(task.IsKillRequested);
        Assert.Equal("bo", task.KillRequest?.User);
    }

    [Fact]
    public async Task MapProcessList_WithPolicies_PreflightAndUnknownPathsNeedNoCredentials()
    {
        await using var app = await StartAsync();

        var preflight = await SendAsync(app, HttpMethod.Options, "procs/job", null);
        Assert.Equal(HttpStatusCode.OK, preflight.StatusCode);
        Assert.Equal("DELETE", preflight.Headers.GetValues("Access-Control-Allow-Methods").Single());
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(app, HttpMethod.Get, "procs/job/other", null)).StatusCode);
    }

    /// <summary>Authenticates <c>X-Test-User: name:role</c>.</summary>
    private sealed class HeaderAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            if (Request.Headers["X-Test-User"].ToString().Split(':') is not [var name, var role])
            {
                return Task.FromResult(AuthenticateResult.NoResult());
            }

            var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], Scheme.Name);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
        }
    }
}
