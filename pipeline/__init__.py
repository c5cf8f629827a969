"""vanban's plain-Python stages, bottom to top: document, readers, (extractors, beside this
package), outputs, crosscheck and index, reports, web. None imports Prefect."""
