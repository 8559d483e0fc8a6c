// The co-organisation matrix's cap, shared by the view that names it and the matrix chunk.

/** At most this many partners are rows (and columns) of the co-organisation matrix. */
export const maxPartners = 20
