using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;

namespace Routing.Cli;

/// <summary>An answer from the admin API: status code and body (JSON when the node sent JSON).</summary>
public sealed record AdminResponse(HttpStatusCode Status, string Body)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public JsonDocument? TryJson()
    {
        try
        {
            return JsonDocument.Parse(Body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>The node could not be reached at all (exit code 3).</summary>
public sealed class NodeUnreachableException : Exception
{
    public NodeUnreachableException() { }

    public NodeUnreachableException(string message) : base(message) { }

    public NodeUnreachableException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A streaming call was refused with a non-2xx status.</summary>
public sealed class AdminStatusException : Exception
{
    public AdminStatusException() { }

    public AdminStatusException(string message) : base(message) { }

    public AdminStatusException(string message, Exception inner) : base(message, inner) { }

    public AdminStatusException(AdminResponse response) : base($"the node answered {(int)(response?.Status ?? 0)}") => Response = response;

    public AdminResponse? Response { get; }
}

/// <summary>Talks to one node's admin API over HTTP with the bearer token.</summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _node;
    private readonly TimeSpan _timeout;

    public AdminClient(GlobalOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _node = options.Node;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _timeout = options.Timeout;
        // Each call sets its own limit; for a stream (ReadLinesAsync) it covers the headers only.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (!string.IsNullOrEmpty(options.Token))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        }
    }

    public Task<AdminResponse> GetAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, path, null, cancellationToken);

    /// <summary>Sends <paramref name="jsonBody"/> (when not null) as application/json with <paramref name="method"/>.</summary>
    public Task<AdminResponse> SendAsync(HttpMethod method, string path, string? jsonBody, CancellationToken cancellationToken) =>
        SendAsync(method, path, jsonBody, null, cancellationToken);

    /// <summary>
    /// As <see cref="SendAsync(HttpMethod, string, string?, CancellationToken)"/>, with a longer limit than --timeout for
    /// calls that do much work per request (a batch of an import): the limit is <paramref name="atLeast"/> when that
    /// is larger.
    /// </summary>
    public async Task<AdminResponse> SendAsync(HttpMethod method, string path, string? jsonBody, TimeSpan? atLeast, CancellationToken cancellationToken)
    {
        var uri = new Uri(_node, path);
        var limit = atLeast is { } a && a > _timeout ? a : _timeout;
        try
        {
            using var request = new HttpRequestMessage(method, uri);
            if (jsonBody is not null)
            {
                request.Content = new StringContent(jsonBody, System.Text.Encoding.UTF8, "application/json");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(limit);
            using var response = await _http.SendAsync(request, timeout.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            return new AdminResponse(response.StatusCode, body);
        }
        catch (HttpRequestException e)
        {
            var detail = e.InnerException is SocketException se ? se.SocketErrorCode.ToString() : e.Message;
            throw new NodeUnreachableException($"cannot reach the node at {_node}: {detail}", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new NodeUnreachableException($"the node at {_node} did not answer within {limit.TotalSeconds:0.#} s", e);
        }
    }

    public Task<AdminResponse> PostAsync(string path, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, path, null, cancellationToken);

    /// <summary>
    /// Reads a streaming answer line by line (newline-delimited JSON) until the node ends it or
    /// <paramref name="cancellationToken"/> fires; the HTTP timeout applies only until the headers arrive.
    /// </summary>
    public async IAsyncEnumerable<string> ReadLinesAsync(string path,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var uri = new Uri(_node, path);
        HttpResponseMessage response;
        using (var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headers.CancelAfter(_timeout);
            try
            {
                response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                var detail = e.InnerException is SocketException se ? se.SocketErrorCode.ToString() : e.Message;
                throw new NodeUnreachableException($"cannot reach the node at {_node}: {detail}", e);
            }
            catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new NodeUnreachableException($"the node at {_node} did not answer within {_timeout.TotalSeconds:0.#} s", e);
            }
        }

        using (response)
        {
            if (!response.IsSuccessStatusCode)
            {
                throw new AdminStatusException(new AdminResponse(response.StatusCode,
                    await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)));
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            while (true)
            {
                string? line;
                try
                {
                    line = await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or HttpRequestException)
                {
                    // The node went away mid-stream (e.g. it was drained): the stream simply ends.
                    yield break;
                }

                if (line is null)
                {
                    yield break;
                }

                if (line.Length > 0)
                {
                    yield return line;
                }
            }
        }
    }

    public void Dispose() => _http.Dispose();
}
