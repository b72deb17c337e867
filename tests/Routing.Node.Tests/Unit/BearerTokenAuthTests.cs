using Microsoft.AspNetCore.Http;
using Routing.Node.Admin;

namespace Routing.Node.Tests.Unit;

public class BearerTokenAuthTests
{
    [Theory]
    [InlineData("Bearer s3cret", true)]
    [InlineData("bearer s3cret", true)]
    [InlineData("Bearer  s3cret ", true)]
    [InlineData("Bearer s3cre", false)]
    [InlineData("Bearer s3cret2", false)]
    [InlineData("Basic s3cret", false)]
    [InlineData("s3cret", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsAuthorized_Header_OnlyTheExactBearerToken(string? header, bool expected)
    {
        var auth = new BearerTokenAuth("s3cret", metricsOpen: false);

        Assert.Equal(expected, auth.IsAuthorized(header));
    }

    [Fact]
    public void IsOpen_MetricsOpenConfigured_OnlyMetricsIsOpen()
    {
        var auth = new BearerTokenAuth("t", metricsOpen: true);

        Assert.True(auth.IsOpen(new PathString("/metrics")));
        Assert.False(auth.IsOpen(new PathString("/api/cluster")));
    }

    [Fact]
    public void IsOpen_Default_NothingIsOpen()
    {
        var auth = new BearerTokenAuth("t", metricsOpen: false);

        Assert.False(auth.IsOpen(new PathString("/metrics")));
    }

    [Fact]
    public async Task InvokeAsync_NoToken_401WithBearerChallengeAndNextNotCalled()
    {
        var auth = new BearerTokenAuth("t", metricsOpen: false);
        var context = new DefaultHttpContext();
        context.Request.Path = "/api/cluster";
        context.Response.Body = new MemoryStream();
        var called = false;

        await auth.InvokeAsync(context, _ =>
        {
            called = true;
            return Task.CompletedTask;
        });

        Assert.False(called);
        Assert.Equal(401, context.Response.StatusCode);
        Assert.StartsWith("Bearer", context.Response.Headers.WWWAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
