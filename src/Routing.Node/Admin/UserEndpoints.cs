using System.Text;
using System.Text.Json;
using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Streams;
using Akka.Streams.Dsl;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Routing.Cluster.Registrar;
using Routing.Node.Configuration;
using Routing.Node.Registrar;
using Routing.Sip.Auth;
using Routing.Sip.Uri;

namespace Routing.Node.Admin;

/// <summary>One user to provision: the AOR and its password (hashed to HA1 at once, never stored).</summary>
public sealed record UserCredentialsRequest(string? Aor, string? Password);

/// <summary>Answer of <c>POST /api/users</c>.</summary>
public sealed record UserChangeResponse(string Aor, string Outcome);

/// <summary>One line of a batch: its number in the operator's file (for the report), the AOR and the password.</summary>
public sealed record UserBatchItem(int Line, string? Aor, string? Password);

/// <summary>What became of one line: <c>created</c>, <c>updated</c>, <c>invalid</c> (with the reason) or <c>journal-unavailable</c>.</summary>
public sealed record UserBatchOutcome(int Line, string Aor, string Outcome, string? Error);

/// <summary>Answer of <c>POST /api/users/batch</c>: counts and one outcome per line, in the order sent.</summary>
public sealed record UserBatchResponse(int Created, int Updated, int Failed, IReadOnlyList<UserBatchOutcome> Results);

/// <summary>One binding as the admin API shows it.</summary>
public sealed record BindingResponse(
    string Contact,
    string Parameters,
    long ExpiresIn,
    DateTimeOffset ExpiresAt,
    string CallId,
    long CSeq,
    string? Instance,
    int? RegId,
    IReadOnlyList<string> Path,
    string Source,
    string Transport,
    string? UserAgent,
    DateTimeOffset RegisteredAt);

/// <summary>Answer of <c>GET /api/users/{aor}</c>.</summary>
public sealed record UserResponse(string Aor, bool Provisioned, IReadOnlyList<string> Algorithms, int FailedAttempts,
    IReadOnlyList<BindingResponse> Bindings);

/// <summary>
/// User provisioning on the admin API (bearer token as for every route):
/// <list type="bullet">
/// <item><c>POST /api/users</c> {aor, password}: create or update (HA1 for SHA-256 and MD5, RFC 7616 §3.4.2, RFC 8760)</item>
/// <item><c>POST /api/users/batch</c> [{line, aor, password}, ...]: many at once, one outcome per line (used by
/// <c>routectl user import</c>)</item>
/// <item><c>GET /api/users/{aor}</c>: the user and its live bindings (flows, expiry, user agent, source)</item>
/// <item><c>DELETE /api/users/{aor}</c>: remove the user and its bindings</item>
/// <item><c>GET /api/users?limit=N</c>: AORs with a journal (provisioned, or registered without auth)</item>
/// </list>
/// </summary>
public static class UserEndpoints
{
    /// <summary>At most this many lines per batch request (routectl sends 2 000).</summary>
    public const int MaxBatchLines = 10_000;

    /// <summary>
    /// User entities provisioned at once per batch. Each new entity recovers (three journal reads) and writes one
    /// atomic batch of two events; the journal groups the writes of concurrent entities, so throughput grows with the
    /// entities in flight (measured on SQLite: 128 in flight 10 000 users in 37 s, 1 024 in flight 11.6 s). routectl keeps
    /// two batches in flight, so 1 024 at the node.
    /// </summary>
    public const int BatchParallelism = 512;

    /// <summary>
    /// An import creates thousands of entities at once, so one attempt may wait far longer than a single REGISTER
    /// would; provisioning is idempotent, so a timed-out one is retried.
    /// </summary>
    private static readonly TimeSpan ImportTimeout = TimeSpan.FromSeconds(20);

    private const int ImportAttempts = 3;

    public static void Map(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/api/users", async (HttpRequest request, IServiceProvider sp, CancellationToken ct) =>
        {
            var (body, bad) = await ReadJsonAsync<UserCredentialsRequest>(request, "a JSON object {aor, password}", ct);
            if (body is null)
            {
                return bad!;
            }

            var registrar = (ClusterRegistrar)sp.GetRequiredService<Routing.Edge.Registrar.IRegistrar>();
            var settings = sp.GetRequiredService<RegistrarComposition.Settings>();
            if (!TryProvision(body, out var command, out var error))
            {
                return Results.Json(new ErrorResponse("bad-request", error), statusCode: StatusCodes.Status400BadRequest);
            }

            var region = await registrar.RegionAsync(ct);
            var outcome = await ChangeAsync(region, command!, settings.AskTimeout, ct);
            return outcome == UserChangeOutcome.JournalUnavailable
                ? Results.Json(new ErrorResponse("journal-unavailable", "the user entity did not confirm the write"), statusCode: StatusCodes.Status503ServiceUnavailable)
                : Results.Json(new UserChangeResponse(command!.Aor, Name(outcome)),
                    statusCode: outcome == UserChangeOutcome.Created ? StatusCodes.Status201Created : StatusCodes.Status200OK);
        });

        app.MapPost("/api/users/batch", async (HttpRequest request, IServiceProvider sp, CancellationToken ct) =>
        {
            var (body, bad) = await ReadJsonAsync<UserBatchItem[]>(request, "a JSON array of {line, aor, password}", ct);
            if (body is null)
            {
                return bad!;
            }

            if (body.Length > MaxBatchLines)
            {
                return Results.Json(new ErrorResponse("bad-request", $"at most {MaxBatchLines} lines per batch, got {body.Length}"),
                    statusCode: StatusCodes.Status400BadRequest);
            }

            var registrar = (ClusterRegistrar)sp.GetRequiredService<Routing.Edge.Registrar.IRegistrar>();
            var region = await registrar.RegionAsync(ct);
            return Results.Ok(await ProvisionBatchAsync(region, body, BatchParallelism, ImportTimeout, ct));
        });

        app.MapGet("/api/users/{aor}", async (string aor, IServiceProvider sp, CancellationToken ct) =>
        {
            if (!TryNormalize(aor, out var normalized, out _, out _, out var error))
            {
                return Results.Json(new ErrorResponse("bad-request", error), statusCode: StatusCodes.Status400BadRequest);
            }

            var registrar = (ClusterRegistrar)sp.GetRequiredService<Routing.Edge.Registrar.IRegistrar>();
            var settings = sp.GetRequiredService<RegistrarComposition.Settings>();
            var region = await registrar.RegionAsync(ct);
            UserResult user;
            try
            {
                user = await region.Ask<UserResult>(new GetUser(normalized), settings.AskTimeout, ct);
            }
            catch (AskTimeoutException)
            {
                return Results.Json(new ErrorResponse("journal-unavailable", "the user entity did not answer in time"),
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            if (!user.Provisioned && user.Bindings.Count == 0)
            {
                return Results.Json(new ErrorResponse("not-found", $"no user or binding for {normalized}"), statusCode: StatusCodes.Status404NotFound);
            }

            var bindings = new List<BindingResponse>(user.Bindings.Count);
            foreach (var v in user.Bindings)
            {
                var b = v.Binding;
                bindings.Add(new BindingResponse(b.ContactUri, b.Parameters, v.RemainingSeconds, b.ExpiresAt, b.CallId, b.CSeq, b.Instance, b.RegId,
                    b.Path, b.Source.Address, b.Source.Transport, b.UserAgent, b.RegisteredAt));
            }

            var algorithms = new List<string>(user.Algorithms.Count);
            foreach (var a in user.Algorithms)
            {
                algorithms.Add(DigestAlgorithms.ToToken(a));
            }

            return Results.Ok(new UserResponse(user.Aor, user.Provisioned, algorithms, user.FailedAttempts, bindings));
        });

        app.MapDelete("/api/users/{aor}", async (string aor, IServiceProvider sp, CancellationToken ct) =>
        {
            if (!TryNormalize(aor, out var normalized, out _, out _, out var error))
            {
                return Results.Json(new ErrorResponse("bad-request", error), statusCode: StatusCodes.Status400BadRequest);
            }

            var registrar = (ClusterRegistrar)sp.GetRequiredService<Routing.Edge.Registrar.IRegistrar>();
            var settings = sp.GetRequiredService<RegistrarComposition.Settings>();
            var region = await registrar.RegionAsync(ct);
            var outcome = await ChangeAsync(region, new DeprovisionUser(normalized), settings.AskTimeout, ct);
            return outcome switch
            {
                UserChangeOutcome.NotFound => Results.Json(new ErrorResponse("not-found", $"no user {normalized}"), statusCode: StatusCodes.Status404NotFound),
                UserChangeOutcome.JournalUnavailable => Results.Json(new ErrorResponse("journal-unavailable", "the user entity did not confirm the write"),
                    statusCode: StatusCodes.Status503ServiceUnavailable),
                _ => Results.Ok(new UserChangeResponse(normalized, Name(outcome))),
            };
        });

        app.MapGet("/api/users", async (int? limit, ActorSystem system, NodeOptions options, CancellationToken ct) =>
        {
            var journal = PersistenceQuery.Get(system)
                .ReadJournalFor<ICurrentPersistenceIdsQuery>(Proxy.ProxyComposition.ReadJournalFor(options.Storage.Journal));
            var take = Math.Clamp(limit ?? 1_000_000, 1, 1_000_000);
            var ids = await journal.CurrentPersistenceIds()
                .Where(id => id.StartsWith(UserEntity.PersistenceIdPrefix, StringComparison.Ordinal))
                .Select(id => id[UserEntity.PersistenceIdPrefix.Length..])
                .Take(take)
                .RunWith(Sink.Seq<string>(), system.Materializer());
            var sorted = new List<string>(ids);
            sorted.Sort(StringComparer.Ordinal);
            return Results.Ok(new { users = sorted, count = sorted.Count });
        });
    }

    /// <summary>
    /// Provisions every line of <paramref name="items"/> through its user entity, at most <paramref name="parallelism"/>
    /// at once. A line that does not parse is reported as <c>invalid</c> and the rest go on.
    /// </summary>
    /// <summary>
    /// Reads a JSON body, answering a malformed, empty or oversized one with a 400/413 that says what was expected
    /// (the framework's binder answers a bare 400). Kestrel bounds every admin body (<see cref="Hosting.NodeHost.MaxAdminBodyBytes"/>).
    /// </summary>
    private static async Task<(T? Body, IResult? Error)> ReadJsonAsync<T>(HttpRequest request, string expected, CancellationToken ct)
        where T : class
    {
        try
        {
            var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, options, ct);
            return body is null
                ? (null, Results.Json(new ErrorResponse("bad-request", $"expected {expected}, got null"), statusCode: StatusCodes.Status400BadRequest))
                : (body, null);
        }
        catch (JsonException e)
        {
            return (null, Results.Json(new ErrorResponse("bad-request", $"expected {expected}: {e.Message}"), statusCode: StatusCodes.Status400BadRequest));
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, Results.Json(new ErrorResponse("too-large", $"the body is over {Hosting.NodeHost.MaxAdminBodyBytes} bytes"),
                statusCode: StatusCodes.Status413PayloadTooLarge));
        }
    }

    internal static async Task<UserBatchResponse> ProvisionBatchAsync(IActorRef region, IReadOnlyList<UserBatchItem> items, int parallelism,
        TimeSpan timeout, CancellationToken ct)
    {
        var results = new UserBatchOutcome[items.Count];
        int created = 0, updated = 0, failed = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (index, token) =>
            {
                var item = items[index];
                ProvisionUser? command = null;
                var error = "empty line";
                if (item is null || !TryProvision(new UserCredentialsRequest(item.Aor, item.Password), out command, out error))
                {
                    Interlocked.Increment(ref failed);
                    results[index] = new UserBatchOutcome(item?.Line ?? 0, item?.Aor ?? string.Empty, "invalid", error);
                    return;
                }

                var outcome = UserChangeOutcome.JournalUnavailable;
                for (var attempt = 0; attempt < ImportAttempts && outcome == UserChangeOutcome.JournalUnavailable; attempt++)
                {
                    outcome = await ChangeAsync(region, command!, timeout, token);
                }

                switch (outcome)
                {
                    case UserChangeOutcome.Created: Interlocked.Increment(ref created); break;
                    case UserChangeOutcome.Updated: Interlocked.Increment(ref updated); break;
                    default: Interlocked.Increment(ref failed); break;
                }

                results[index] = new UserBatchOutcome(item.Line, command!.Aor, Name(outcome),
                    outcome is UserChangeOutcome.Created or UserChangeOutcome.Updated ? null : "the user entity did not confirm the write");
            });
        return new UserBatchResponse(created, updated, failed, results);
    }

    private static async Task<UserChangeOutcome> ChangeAsync(IActorRef region, IUserCommand command, TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            var answer = await region.Ask<object>(command, timeout, ct);
            return answer is UserChangeResult r ? r.Outcome : UserChangeOutcome.JournalUnavailable;
        }
        catch (AskTimeoutException)
        {
            return UserChangeOutcome.JournalUnavailable;
        }
    }

    /// <summary>Checks the request and hashes the password into HA1s for SHA-256 and MD5 (RFC 8760 §2.4 offers both).</summary>
    internal static bool TryProvision(UserCredentialsRequest? body, out ProvisionUser? command, out string error)
    {
        command = null;
        if (body?.Aor is null || body.Password is null || body.Password.Length == 0)
        {
            error = "aor and password are required";
            return false;
        }

        if (!TryNormalize(body.Aor, out var aor, out var user, out var realm, out error))
        {
            return false;
        }

        command = new ProvisionUser(aor, user, realm,
        [
            new Ha1Entry(DigestAlgorithm.Sha256, DigestHash.ComputeHa1(DigestAlgorithm.Sha256, user, realm, body.Password)),
            new Ha1Entry(DigestAlgorithm.Md5, DigestHash.ComputeHa1(DigestAlgorithm.Md5, user, realm, body.Password)),
        ]);
        return true;
    }

    /// <summary>An AOR as the registrar keys it: sip/sips with a user part, normalized by <see cref="SipUri.ToAddressOfRecord"/>.</summary>
    internal static bool TryNormalize(string text, out string aor, out string user, out string realm, out string error)
    {
        aor = user = realm = string.Empty;
        if (!SipUri.TryParse(Encoding.UTF8.GetBytes(text.Trim()), out var uri) || !uri.IsSip || !uri.HasUser)
        {
            error = $"'{text}' is not a SIP address-of-record such as sip:alice@example.com";
            return false;
        }

        aor = uri.ToAddressOfRecord();
        user = Routing.Sip.Syntax.PercentEncoding.DecodeToString(uri.User);
        realm = Encoding.ASCII.GetString(uri.Host).ToLowerInvariant();
        if (realm.StartsWith('['))
        {
            realm = realm[1..^1];
        }

        error = string.Empty;
        return true;
    }

    private static string Name(UserChangeOutcome outcome) => outcome switch
    {
        UserChangeOutcome.Created => "created",
        UserChangeOutcome.Updated => "updated",
        UserChangeOutcome.Removed => "removed",
        UserChangeOutcome.NotFound => "not-found",
        _ => "journal-unavailable",
    };
}
