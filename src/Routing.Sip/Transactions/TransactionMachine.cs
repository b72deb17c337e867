namespace Routing.Sip.Transactions;

/// <summary>Dispatches an input to the machine of the state's <see cref="TransactionState.Kind"/>.</summary>
public static class TransactionMachine
{
    /// <summary>The pure transition function <c>(state, input, now) -> (new state, actions)</c>.</summary>
    public static TransactionStep Apply(in TransactionState state, in TransactionInput input, TimeSpan now) => state.Kind switch
    {
        TransactionKind.InviteClient => InviteClientTransaction.Apply(state, input, now),
        TransactionKind.NonInviteClient => NonInviteClientTransaction.Apply(state, input, now),
        TransactionKind.InviteServer => InviteServerTransaction.Apply(state, input, now),
        TransactionKind.NonInviteServer => NonInviteServerTransaction.Apply(state, input, now),
        _ => new TransactionStep(state),
    };

    /// <summary>Whether the kind is a client transaction.</summary>
    public static bool IsClient(TransactionKind kind) => kind is TransactionKind.InviteClient or TransactionKind.NonInviteClient;
}
